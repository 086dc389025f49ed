//! Starts the simulator binary for a test: on a free loopback port, with the URL
//! read from its first line, stopped when dropped. The simulator's own tests
//! (`sim/tests`) and the end-to-end harness (`kosmo-harness`) both start it here.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running simulator, killed and waited for when dropped. It also exits by
/// itself when its standard input closes, so it dies with a test process that
/// is killed before it can drop this.
pub struct SimProcess {
    child: Child,
    /// Kept open, so that anything the simulator prints later does not meet a closed pipe.
    _stdout: BufReader<ChildStdout>,
    url: String,
}

impl SimProcess {
    /// Runs `binary --addr 127.0.0.1:0 --exit-on-stdin-eof ARGS` and waits for its
    /// `listening on URL` line.
    ///
    /// # Panics
    /// If the binary does not start or its first line is not `listening on URL`:
    /// the test cannot go on without its simulator.
    pub fn start(binary: &Path, args: &[&str]) -> SimProcess {
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--exit-on-stdin-eof"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the simulator's first line");
        let url = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the simulator: {line:?}"))
            .to_owned();
        SimProcess { child, _stdout: stdout, url }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
