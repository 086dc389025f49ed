//! The benchmark's table and BENCHMARKS.md.

/// One measured figure and its target.
pub struct Row {
    pub what: String,
    pub figure: String,
    pub target: String,
    /// `None`: informational, no target.
    pub met: Option<bool>,
}

pub fn table(rows: &[Row]) -> String {
    let mut out = String::from("| measure | figure | target | met |\n|---|---|---|---|\n");
    for row in rows {
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "–",
        };
        out.push_str(&format!("| {} | {} | {} | {} |\n", row.what, row.figure, row.target, met));
    }
    out
}

/// `analysis` (the hand-written reading of the profiles, `bench/analysis.md`)
/// is appended as it is: figures change with every run, the analysis only
/// when someone profiles again (`make profile`).
pub fn markdown(rows: &[Row], table: &str, analysis: Option<&str>) -> String {
    let missed: Vec<&Row> = rows.iter().filter(|r| r.met == Some(false)).collect();
    let mut out = String::from(
        "# Benchmarks\n\nWritten by `make bench` (rerun it to refresh every figure). All figures come from one run \
         on one machine, side by side, against `ringcentral-sim` on loopback.\n\n",
    );
    out.push_str(&format!("Machine: {}\n\n", machine()));
    out.push_str(table);
    if missed.is_empty() {
        out.push_str("\nEvery target with a figure was met.\n");
    } else {
        out.push_str("\nTargets missed in this run:\n\n");
        for row in missed {
            out.push_str(&format!("* {} ({}; target {})\n", row.what, row.figure, row.target));
        }
    }
    if let Some(analysis) = analysis {
        out.push('\n');
        out.push_str(analysis.trim_end());
        out.push('\n');
    }
    out
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| text.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string()))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown memory".into());
    format!("{cpu}, {cores} cores, {memory}, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}
