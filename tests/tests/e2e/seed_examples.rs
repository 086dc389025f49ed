//! The seed reference is the contract: every function it lists is in the tool
//! table as the seed states it (the table may add tools), and every Lua
//! example in it runs unchanged against the simulator (real-looking values in
//! place of the `example_*` placeholders, which themselves get a clear
//! validation error).

use kosmo_harness::*;
use ringcentral_core::tools::{Kind, Operation, TOOLS, find};
use serde_json::Value;

#[test]
fn every_seed_function_is_in_the_tool_table_unchanged() {
    let text = seed::text();
    let functions = seed::functions(&text);
    // Every function of the seed was read: one per "Lua path" line.
    assert_eq!(functions.len(), text.matches("\nLua path\n").count(), "{functions:#?}");
    // Extra tools are allowed; the seed's keep their names and their order.
    let seed_names: Vec<&str> = functions.iter().map(|f| f.name.as_str()).collect();
    let missing: Vec<&str> = seed_names.iter().copied().filter(|name| find(name).is_none()).collect();
    assert!(missing.is_empty(), "seed functions missing from the tool table: {missing:?}");
    let in_table_order: Vec<&str> = TOOLS.iter().map(|t| t.name).filter(|name| seed_names.contains(name)).collect();
    assert_eq!(in_table_order, seed_names, "the seed's tools, in the seed's order");
    for function in &functions {
        let tool = find(&function.name).expect("checked above");
        let operation = match tool.operation {
            Operation::Read => "Read",
            Operation::Write => "Write",
        };
        assert_eq!(operation, function.operation, "{}: Read/Write class", tool.name);
        assert_eq!(tool.description, function.description, "{}: description", tool.name);
        assert_eq!(format!("app.integrations.ringcentral.{}", tool.name), function.lua_path);
        assert_eq!(tool.full_name(), function.full_name);
        let params: Vec<seed::Param> = tool
            .params
            .iter()
            .map(|p| seed::Param {
                name: p.name.to_string(),
                kind: match p.kind {
                    Kind::Integer { .. } => "integer",
                    Kind::Boolean => "boolean",
                    Kind::Object => "object",
                    // Only tools beyond the seed take files; the seed compares its own 24.
                    Kind::LocalFiles { .. } => "array",
                    Kind::String
                    | Kind::Text { .. }
                    | Kind::Id
                    | Kind::ApiPath
                    | Kind::DateTime
                    | Kind::Phone { .. } => "string",
                }
                .to_string(),
                required: p.required,
                description: p.description.to_string(),
            })
            .collect();
        assert_eq!(params, function.params, "{}: parameters", tool.name);
    }
}

/// Runs one example and requires `"success": true`.
#[track_caller]
fn runs(bench: &Bench, code: &str) -> Value {
    let envelope = bench.lua(code);
    assert_eq!(envelope["success"], true, "the seed example failed:\n{code}\n{envelope:#}");
    envelope
}

#[test]
fn the_headless_cli_examples_run_with_real_values() {
    let text = seed::text();
    let examples = seed::eval_examples(&text);
    assert_eq!(examples.len(), 3, "{examples:#?}");
    let bench = Bench::start();

    // The inline list_messages call, placeholders filled in.
    let envelope = runs(&bench, &seed::filled(&examples[0]));
    let dumped: Value = serde_json::from_str(envelope["output"].as_str().unwrap()).expect("dump prints JSON");
    let records = dumped["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "perPage = 1");
    assert_eq!(records[0]["type"], "SMS");
    assert_eq!(records[0]["direction"], "Inbound");
    assert_eq!(records[0]["readStatus"], "Unread");

    // docs.read("ringcentral") and docs.read("ringcentral.list_messages").
    let full = runs(&bench, &examples[1]);
    assert!(full["output"].as_str().unwrap().starts_with(seed::raw_markdown(&text).trim_end()));
    let page = runs(&bench, &examples[2]);
    assert!(page["output"].as_str().unwrap().contains("last 24 hours"), "{}", page["output"]);

    let sent = bench.sim.requests();
    assert_eq!(sent.len(), 1);
    let query = sent[0]["query"].as_str().unwrap();
    for part in
        ["messageType=SMS", "direction=Inbound", "readStatus=Unread", "perPage=1", "page=1", "dateFrom=", "dateTo="]
    {
        assert!(query.contains(part), "{part} in {query}");
    }
}

#[test]
fn the_workflow_file_runs_with_and_without_force() {
    let text = seed::text();
    let bench = Bench::start();
    let file = bench.plugins.path().join("workflow.lua");
    std::fs::write(&file, seed::filled(&seed::workflow(&text))).unwrap();
    for extra in [&["--json"][..], &["--force", "--json"]] {
        let mut command = bench.kosmo();
        command.arg("integrations:lua").arg(&file).args(extra);
        let run = run(&mut command, None);
        let envelope = run.envelope();
        assert_eq!(envelope["success"], true, "{extra:?}: {envelope:#}");
        assert_eq!(run.code, 0);
        assert!(envelope["output"].as_str().unwrap().contains("\"records\""));
    }
    assert_eq!(bench.sim.requests().len(), 2);
}

#[test]
fn the_metadata_example_runs_with_real_values() {
    let text = seed::text();
    let bench = Bench::start();
    let envelope = runs(&bench, &seed::filled(&seed::metadata_example(&text)));
    assert!(!envelope["output"].as_str().unwrap().is_empty());
    assert_eq!(bench.sim.requests().len(), 1);
}

#[test]
fn the_agent_docs_examples_run_unchanged() {
    let text = seed::text();
    let blocks = seed::lua_blocks(seed::raw_markdown(&text));
    assert_eq!(blocks.len(), 6, "{blocks:#?}");
    // The last example uses the named account `support`.
    let bench = Bench::start().with_accounts(&["support"]);
    for block in &blocks {
        runs(&bench, block);
    }

    // What they did, seen from the simulator.
    let requests = bench.sim.requests();
    let hit = |method: &str, path: &str| requests.iter().any(|r| r["method"] == method && r["path"] == path);
    let me = "/restapi/v1.0/account/~/extension/~";
    assert!(hit("GET", "/restapi/v1.0/account/~/extension/123456789"));
    assert!(hit("GET", &format!("{me}/message-store/1234567890")));
    assert!(hit("PATCH", &format!("{me}/message-store/1234567890")));
    assert!(hit("POST", &format!("{me}/sms")));
    assert!(hit("POST", &format!("{me}/address-book/contact")));
    assert!(requests.iter().any(|r| r["method"] == "PATCH"
        && r["path"].as_str().unwrap().starts_with(&format!("{me}/address-book/contact/"))
        && r["body"] == r#"{"company":"Example"}"#));
    let lists = requests.iter().filter(|r| r["path"] == format!("{me}/message-store") && r["query"] == "").count();
    assert_eq!(lists, 3, "list_messages on the default account, .default and .support");
}

#[test]
fn the_placeholders_themselves_get_a_clear_validation_error() {
    let text = seed::text();
    let bench = Bench::start();
    for placeholder in seed::PLACEHOLDERS {
        let parameter = placeholder.strip_prefix("example_").unwrap();
        // The seed's inline example with only this placeholder left in.
        let code = seed::eval_examples(&text)[0].replace(&format!("\"{placeholder}\""), "\"KEEP\"");
        let code = seed::filled(&code).replace("\"KEEP\"", &format!("\"{placeholder}\""));
        let envelope = bench.lua(&code);
        assert_eq!(envelope["success"], false, "{code}");
        let error = envelope["error"].as_str().unwrap();
        assert!(
            error.contains("invalid arguments") && error.contains(&format!("parameter '{parameter}' must be")),
            "{placeholder}: {error}"
        );
        assert!(error.contains(&format!("got \"{placeholder}\"")), "{error}");
    }
    assert!(bench.sim.requests().is_empty(), "nothing is sent for a placeholder");
}
