//! Attacks through a plugin's catalog and its name: a bloated plugin (far too
//! many tools, a huge schema, huge docs, as many long tools as allowed) next
//! to the RingCentral plugin; an impostor file that claims the id
//! `ringcentral`; a tool named like a configured account.
//!
//! The bloated plugin is `tests/plugins/bloated`, built by `make build` as
//! `flood`, `schema` and `crowd`; the impostor is the hostile plugin (id
//! `ringcentral`). Every test runs the real `kosmo` against the simulator.

use std::path::Path;
use std::time::Duration;

use kosmo_harness::mcp::{McpClient, result_json};
use kosmo_harness::*;
use serde_json::{Value, json};

/// A RingCentral call whose answer only the real plugin gives.
const RINGCENTRAL_CALL: &str = "return app.integrations.ringcentral.get_account({}).id";

/// `kosmo integrations:lua --eval CODE --json` on the bench, with extra arguments.
fn lua_run(bench: &Bench, code: &str, extra: &[&str]) -> Run {
    lua_json(&mut bench.kosmo(), code, extra)
}

/// A bench whose plugin directory also holds `plugin` (under its own name).
fn bench_with(plugin: &Path) -> Bench {
    let bench = Bench::start();
    std::fs::copy(plugin, bench.plugins.path().join(plugin.file_name().unwrap())).unwrap();
    bench
}

fn assert_ringcentral_served(run: &Run) {
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "{envelope:#}\nstderr:\n{}", run.stderr);
    assert!(envelope["result"][0].is_string() || envelope["result"][0].is_number(), "{envelope:#}");
}

#[test]
fn a_plugin_with_80000_tools_is_refused_naming_the_cap_and_ringcentral_serves_in_the_same_run() {
    let bench = bench_with(&bloated_plugin("flood"));
    let run = lua_run(&bench, &format!("assert(app.integrations.bloated == nil)\n{RINGCENTRAL_CALL}"), &[]);
    let file = bench.plugins.path().join("bloated-flood.wasm");
    assert!(
        run.stderr.contains(&format!(
            "skipping {}: {} declares 80000 tools, more than the cap of 1000 tools per plugin",
            file.display(),
            file.display()
        )),
        "{}",
        run.stderr
    );
    assert_ringcentral_served(&run);
}

#[test]
fn a_plugin_with_a_huge_schema_is_refused_naming_the_cap() {
    let bench = bench_with(&bloated_plugin("schema"));
    let run = lua_run(&bench, RINGCENTRAL_CALL, &[]);
    assert!(
        run.stderr.contains("bloated-schema.wasm: ")
            && run.stderr.contains("declares a schema of 1 MiB for tool_00000, more than the cap of 256 KiB"),
        "{}",
        run.stderr
    );
    assert_ringcentral_served(&run);
}

/// The most tools a plugin may have, with the longest names, beside the
/// RingCentral plugin and three accounts: a script that calls RingCentral
/// alone runs within a small memory limit, as it does without the crowd
/// (the namespace is built on first use), and docs, "did you mean" and
/// `integrations:list` still work.
#[test]
fn a_plugin_with_many_tools_does_not_eat_the_memory_limit_of_a_ringcentral_script() {
    let bench = bench_with(&bloated_plugin("crowd")).with_accounts(&["work", "support"]);
    const LIMIT: &str = "262144"; // 256 KiB; the crowd built eagerly took 700 KB
    let run = lua_run(&bench, RINGCENTRAL_CALL, &["--memory-limit", LIMIT]);
    assert!(!run.stderr.contains("skipping"), "{}", run.stderr);
    assert_ringcentral_served(&run);

    // The crowd itself is reachable, and a misspelt name gets a suggestion.
    let name = format!("tool_00999{}", "x".repeat(54));
    let code = format!(
        "local crowd = app.integrations.bloated\n\
         assert(type(crowd.{name}) == 'function')\n\
         assert(type(crowd.default.{name}) == 'function')\n\
         local ok, err = pcall(function() return crowd.tool_0999{} end)\n\
         return tostring(err)",
        "x".repeat(55)
    );
    let misspelt = lua_run(&bench, &code, &[]).envelope();
    assert_eq!(misspelt["success"], true, "{misspelt:#}");
    assert!(misspelt["result"][0].as_str().unwrap().contains(&format!("Did you mean '{name}'?")), "{misspelt:#}");

    // Built on first use, the namespace still lists what it holds.
    let code = "local ids, tools = {}, 0\n\
                for id in pairs(app.integrations) do ids[#ids + 1] = id end\n\
                for _, f in pairs(app.integrations.bloated.default) do assert(type(f) == 'function'); tools = tools + 1 end\n\
                return { ids = table.concat(ids, ','), tools = tools }";
    let listed = lua_run(&bench, code, &[]).envelope();
    assert_eq!(listed["result"][0], json!({ "ids": "bloated,ringcentral", "tools": 1000 }), "{listed:#}");

    let mut list = bench.kosmo();
    let listed = run_json(list.args(["integrations:list", "--json"]));
    let crowd = listed.as_array().unwrap().iter().find(|p| p["id"] == "bloated").expect("bloated is listed");
    assert_eq!(crowd["functions"].as_array().unwrap().len(), 1000);
}

#[test]
fn a_huge_docs_page_is_refused_naming_the_cap_and_other_pages_still_read() {
    let bench = bench_with(&bloated_plugin("crowd"));
    let code = "local ok, err = pcall(docs.read, 'bloated.huge')\n\
                return { ok = ok, err = tostring(err), other = docs.read('ringcentral.list_messages'):find('24 hours', 1, true) ~= nil }";
    let envelope = lua_run(&bench, code, &[]).envelope();
    assert_eq!(envelope["success"], true, "{envelope:#}");
    let result = &envelope["result"][0];
    assert_eq!(result["ok"], false, "{envelope:#}");
    assert!(
        result["err"]
            .as_str()
            .unwrap()
            .contains("its docs page \"huge\" is 2 MiB, more than the cap of 1 MiB per docs page"),
        "{envelope:#}"
    );
    assert_eq!(result["other"], true, "{envelope:#}");

    let mut docs = bench.kosmo();
    let run = run(docs.args(["integrations:docs", "bloated.huge"]), None);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("more than the cap of 1 MiB per docs page"), "{}", run.stderr);
}

fn run_json(command: &mut std::process::Command) -> Value {
    let run = run(command, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// A file's sha256 as `kosmo plugin:inspect --json` reports it.
fn sha256_of(plugins: &Path, file: &Path) -> String {
    let mut inspect = kosmo(plugins);
    inspect.args(["plugin:inspect", "--json"]).arg(file);
    run_json(&mut inspect)["file"]["sha256"].as_str().unwrap().to_string()
}

/// Writes a config that pins the RingCentral integration to `sha256`.
fn pin_config(dir: &Path, sha256: &str) -> std::path::PathBuf {
    let path = dir.join("pinned.toml");
    std::fs::write(&path, format!("[integrations.ringcentral]\nsha256 = \"{sha256}\"\n")).unwrap();
    path
}

#[test]
fn an_impostor_first_in_name_order_is_refused_when_the_integration_is_pinned() {
    let bench = bench_with(&hostile_plugin());
    let dir = bench.plugins.path();
    let impostor = dir.join("0-impostor.wasm");
    std::fs::rename(dir.join("hostile.wasm"), &impostor).unwrap();
    let genuine = sha256_of(dir, &dir.join("ringcentral.wasm"));
    let fake = sha256_of(dir, &impostor);

    // Unpinned, the impostor wins by name order, and the warning says which
    // file serves and which was skipped, with both digests to pin one.
    let unpinned = lua_run(&bench, RINGCENTRAL_CALL, &[]);
    let warning =
        unpinned.stderr.lines().find(|l| l.contains("skipping")).unwrap_or_else(|| panic!("{}", unpinned.stderr));
    assert!(warning.contains(&format!("skipping {}", dir.join("ringcentral.wasm").display())), "{warning}");
    assert!(warning.contains(&format!("already provided by {} (sha256 {fake})", impostor.display())), "{warning}");
    assert!(warning.contains(&format!("this file's sha256 is {genuine}")), "{warning}");
    assert!(warning.contains("pin its digest with sha256 = \"...\" under [integrations.ringcentral]"), "{warning}");
    assert_ne!(unpinned.envelope()["success"], true, "the hostile plugin has no get_account");

    // Pinned to the genuine digest, the impostor is refused with both digests
    // and the genuine file serves.
    let mut pinned = bench.kosmo();
    pinned.env("KOSMO_CONFIG", pin_config(dir, &genuine));
    let run = lua_json(&mut pinned, RINGCENTRAL_CALL, &[]);
    assert!(
        run.stderr.contains(&format!(
            "skipping {}: its id 'ringcentral' is pinned to sha256 {genuine} by the config ([integrations.ringcentral] \
             sha256), but this file's sha256 is {fake}",
            impostor.display()
        )),
        "{}",
        run.stderr
    );
    assert_ringcentral_served(&run);
}

#[test]
fn a_pin_that_is_not_a_digest_is_a_config_error() {
    let bench = Bench::start();
    let mut command = bench.kosmo();
    command.env("KOSMO_CONFIG", pin_config(bench.plugins.path(), "not-a-digest"));
    let run = lua_json(&mut command, RINGCENTRAL_CALL, &[]);
    assert_ne!(run.code, 0);
    // With --json the config error is the envelope's.
    let error = run.envelope()["error"].as_str().unwrap_or_default().to_string();
    assert!(error.contains("[integrations.ringcentral] sha256 = \"not-a-digest\" is not a sha256"), "{error}");
}

#[test]
fn a_pinned_integration_refuses_an_impostor_swapped_in_while_mcp_serve_runs() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let dir = plugins.path();
    let target = dir.join("ringcentral.wasm");
    let genuine = sha256_of(dir, &target);
    let fake = sha256_of(dir, &hostile_plugin());
    let mut command = kosmo_on(&sim, dir);
    command.env("KOSMO_CONFIG", pin_config(dir, &genuine)).env("KOSMO_LOG", "debug");
    let (client, _) = McpClient::start(command, &[]);
    let account = client.call_tool("ringcentral_get_account", json!({}));
    assert_ne!(account["isError"], true, "{account}\n{}", client.stderr());

    // Renamed over the genuine file, as an installer would.
    let temp = dir.join(".incoming.tmp");
    std::fs::copy(hostile_plugin(), &temp).unwrap();
    std::fs::rename(&temp, &target).unwrap();
    let rejected = format!(
        "hot swap: rejected {}: its id 'ringcentral' is pinned to sha256 {genuine} by the config \
         ([integrations.ringcentral] sha256), but this file's sha256 is {fake}; 'ringcentral' 0.1.0 from the \
         previous version of the file keeps serving",
        target.display()
    );
    assert!(client.wait_for_log(&rejected, Duration::from_secs(30)), "{}", client.stderr());

    // A second impostor under another name is refused the same way.
    std::fs::copy(hostile_plugin(), dir.join("0-impostor.wasm")).unwrap();
    assert!(
        client.wait_for_log(
            &format!("hot swap: rejected {}: its id 'ringcentral' is pinned", dir.join("0-impostor.wasm").display()),
            Duration::from_secs(30)
        ),
        "{}",
        client.stderr()
    );

    let names: Vec<String> =
        client.list_tools().iter().map(|t| t["name"].as_str().unwrap_or_default().to_string()).collect();
    assert!(names.contains(&"ringcentral_get_account".to_string()), "{names:?}");
    assert!(!names.contains(&"ringcentral_fetch".to_string()), "the impostor's tools are not served: {names:?}");
    let again = client.call_tool("ringcentral_get_account", json!({}));
    assert_ne!(again["isError"], true, "{again}\n{}", client.stderr());
    assert_eq!(result_json(&again)["id"], result_json(&account)["id"]);
}

/// The versioned plugin's tool `served_by`, and an account named `served_by`:
/// `app.integrations.versioned.served_by` is the account, so the tool is
/// reported as shadowed, with how to call it, which works.
#[test]
fn a_tool_named_like_an_account_is_reported_and_stays_callable() {
    let plugins = plugin_dir(&[&versioned_plugin("v1")]);
    let dir = plugins.path();
    let config = dir.join("config.toml");
    let account = "server_url = \"https://platform.ringcentral.com\"\naccess_token = \"unused\"\n";
    std::fs::write(
        &config,
        format!(
            "[integrations.versioned.accounts.default]\n{account}\n[integrations.versioned.accounts.served_by]\n{account}"
        ),
    )
    .unwrap();
    let note = "the account 'served_by' shadows the tool versioned.served_by in Lua (app.integrations.versioned.served_by \
                is the account): call it as app.integrations.versioned.default.served_by, or `kosmo integrations:call \
                versioned.served_by`";

    let mut command = kosmo(dir);
    command.env("KOSMO_CONFIG", &config);
    let code = "assert(type(app.integrations.versioned.served_by) == 'table')\n\
                return app.integrations.versioned.default.served_by({}).version";
    let script = lua_json(&mut command, code, &[]);
    assert!(script.stderr.contains(&format!("warning: {note}")), "{}", script.stderr);
    let envelope = script.envelope();
    assert_eq!(envelope["success"], true, "{envelope:#}");
    assert_eq!(envelope["result"][0], "v1");

    let mut list = kosmo(dir);
    list.env("KOSMO_CONFIG", &config).args(["integrations:list", "--json"]);
    let listed = run_json(&mut list);
    let versioned = listed.as_array().unwrap().iter().find(|p| p["id"] == "versioned").unwrap();
    let functions = versioned["functions"].as_array().unwrap();
    let served_by = functions.iter().find(|f| f["name"] == "served_by").unwrap();
    assert_eq!(served_by["shadowed"], note);
    let record_note = functions.iter().find(|f| f["name"] == "record_note").unwrap();
    assert!(record_note.get("shadowed").is_none(), "{record_note}");

    let mut text = kosmo(dir);
    text.env("KOSMO_CONFIG", &config).arg("integrations:list");
    let listing = run(&mut text, None);
    assert!(listing.stdout.contains(&format!("note: {note}")), "{}", listing.stdout);
}
