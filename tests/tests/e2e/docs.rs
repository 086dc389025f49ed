//! The docs scripts and agents read: `read-docs("")` is the seed's reference
//! plus every function's page; each page says what the tool takes, and the
//! message and call-log lists say they default to the last 24 hours.

use kosmo_harness::*;
use ringcentral_core::tools::TOOLS;

#[test]
fn docs_read_and_lua_read_doc_serve_the_reference_and_the_pages() {
    let text = seed::text();
    let bench = Bench::start();
    let envelope = bench.lua(
        r#"local pages = {}
        for _, name in ipairs({"list_messages", "list_calls", "list_account_calls", "send_sms", "get_message"}) do
          pages[name] = docs.read("ringcentral." .. name)
        end
        return docs.read("ringcentral"), lua_read_doc("integrations.ringcentral"), pages,
               lua_read_doc("integrations.ringcentral.send_sms"), docs.list(), docs.search("sms"), docs.read("ringcentral.nope")"#,
    );
    assert_eq!(envelope["success"], true, "{envelope:#}");
    let result = envelope["result"].as_array().unwrap();
    let full = result[0].as_str().unwrap();

    // The full reference: the seed's raw agent markdown, then every function.
    assert!(full.starts_with(seed::raw_markdown(&text).trim_end()), "{full}");
    for function in seed::functions(&text) {
        assert!(
            full.contains(&format!("### ringcentral.{} ({})", function.name, function.operation)),
            "{}",
            function.name
        );
        assert!(full.contains(&function.description), "{}", function.name);
        for param in &function.params {
            assert!(full.contains(&format!(
                "| {} | {} | {} |",
                param.name,
                param.kind,
                if param.required { "yes" } else { "no" }
            )));
        }
    }
    assert_eq!(result[1], result[0], "lua_read_doc(\"integrations.ringcentral\") is the same reference");

    // Function pages; the 24-hour window where it applies.
    let pages = &result[2];
    for name in ["list_messages", "list_calls", "list_account_calls"] {
        let page = pages[name].as_str().unwrap();
        assert!(page.contains("Default window: the last 24 hours"), "{name}: {page}");
        assert!(page.contains("`dateFrom`"), "{name}");
    }
    for name in ["send_sms", "get_message"] {
        assert!(!pages[name].as_str().unwrap().contains("24 hours"), "{name}");
    }
    let sms = pages["send_sms"].as_str().unwrap();
    assert_eq!(result[3].as_str().unwrap(), sms, "lua_read_doc of a function is its page");
    assert!(sms.starts_with("# ringcentral.send_sms (Write)"), "{sms}");
    assert!(sms.contains("`POST /restapi/v1.0/account/~/extension/~/sms`"), "{sms}");
    assert!(sms.contains("| from | string | yes | The phone number to send from"), "{sms}");
    assert!(pages["get_message"].as_str().unwrap().contains("| messageId | string | yes |"));

    // docs.list(): every function with its class; docs.search finds by words.
    let list = result[4].as_str().unwrap();
    for tool in TOOLS {
        assert!(list.contains(&format!("ringcentral.{}", tool.name)), "{}: {list}", tool.name);
    }
    assert!(list.contains(&format!("({} functions)", TOOLS.len())), "{list}");
    let search = result[5].as_str().unwrap();
    assert!(search.lines().next().unwrap_or_default().starts_with("ringcentral.send_sms"), "{search}");
    assert!(result[6].as_str().unwrap().contains("No integration docs found"), "{}", result[6]);
    assert!(bench.sim.requests().is_empty(), "docs need no API call");
}

/// Each function page ends with an example call; every one runs against the
/// simulator, in table order, and each sends one request (checked against the
/// spec when the bench is dropped).
#[test]
fn every_function_pages_example_runs() {
    let bench = Bench::start();
    let mut script = String::from("local done = {}\n");
    for tool in TOOLS {
        let example = contract::example_call(tool);
        script.push_str(&format!("do\n{example}done[#done + 1] = \"{}\"\nend\n", tool.name));
    }
    script.push_str("return done");
    let envelope = bench.lua(&script);
    assert_eq!(envelope["success"], true, "{script}\n{envelope:#}");
    let done: Vec<&str> = envelope["result"][0].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(done, contract::tool_names());
    // One request per example, and one per call an example makes to get its arguments
    // (get_call's lists calls first).
    let nested: usize = TOOLS.iter().map(|t| t.example.matches("app.integrations.ringcentral.").count()).sum();
    assert_eq!(bench.sim.requests().len(), TOOLS.len() + nested);
}
