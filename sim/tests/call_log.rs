//! Extension and account call logs.

mod common;

use common::{ME, Sim};
use serde_json::Value;

const MINE: &str = "/restapi/v1.0/account/~/extension/~/call-log";
const ACCOUNT: &str = "/restapi/v1.0/account/~/call-log";
const ALL_TIME: &str = "dateFrom=2024-01-01T00:00:00Z";

fn records(body: &Value) -> &Vec<Value> {
    body["records"].as_array().unwrap()
}

#[test]
fn default_window_is_the_last_24_hours() {
    let sim = Sim::start();
    let reply = sim.get(MINE);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-rate-limit-group"), Some("heavy"));
    assert_eq!(reply.header("x-rate-limit-limit"), Some("10"));
    let body = reply.json();
    let times: Vec<&str> = records(&body).iter().map(|r| r["startTime"].as_str().unwrap()).collect();
    assert!(times.len() >= 5, "{times:?}");
    assert!(times.iter().all(|t| *t >= "2025-05-31T12:00:00.000Z"), "{times:?}");
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let uri = body["uri"].as_str().unwrap();
    assert!(uri.contains("/call-log?view=Simple&dateFrom=2025-05-31T12%3A00%3A0"), "{uri}");

    let record = &records(&body)[0];
    let id = record["id"].as_str().expect("string id");
    assert_eq!(id.len(), 15);
    assert!(record["uri"].as_str().unwrap().ends_with(&format!("/call-log/{id}?view=Simple")));
    for field in ["sessionId", "startTime", "type", "direction", "action", "result", "from", "to"] {
        assert!(!record[field].is_null(), "{field} missing in {record}");
    }
}

#[test]
fn account_log_covers_every_extension() {
    let sim = Sim::start();
    let mine = sim.get_ok(&format!("{MINE}?{ALL_TIME}"));
    assert_eq!(mine["paging"]["totalElements"], 40);
    let account = sim.get_ok(&format!("{ACCOUNT}?{ALL_TIME}"));
    assert_eq!(account["paging"]["totalElements"], 56);
    assert!(records(&account).iter().all(|r| r["extension"]["id"].is_u64()));

    let second = sim.get_ok(&format!("{ACCOUNT}?{ALL_TIME}&extensionNumber=102"));
    assert_eq!(second["paging"]["totalElements"], 10);
    let second_id = records(&second)[0]["extension"]["id"].clone();
    assert!(records(&second).iter().all(|r| r["extension"]["id"] == second_id));
    assert!(second["uri"].as_str().unwrap().contains("extensionNumber=102"));
}

#[test]
fn filters_by_direction_type_and_phone_number() {
    let sim = Sim::start();
    let field = |query: &str, name: &str| -> Vec<String> {
        let body = sim.get_ok(&format!("{MINE}?{ALL_TIME}&{query}"));
        records(&body).iter().map(|r| r[name].as_str().unwrap().to_owned()).collect()
    };
    let outbound = field("direction=Outbound", "direction");
    assert!(!outbound.is_empty() && outbound.iter().all(|d| d == "Outbound"));
    let faxes = field("type=Fax", "type");
    assert!(!faxes.is_empty() && faxes.iter().all(|t| t == "Fax"));
    assert_eq!(field("type=Fax&type=Voice", "type").len(), 40);

    let inbound = sim.get_ok(&format!("{MINE}?{ALL_TIME}&direction=Inbound"));
    let caller = records(&inbound)[0]["from"]["phoneNumber"].as_str().unwrap().to_owned();
    for query in [caller.trim_start_matches('+').to_owned(), caller.replace('+', "%2B")] {
        let body = sim.get_ok(&format!("{MINE}?{ALL_TIME}&phoneNumber={query}"));
        assert!(!records(&body).is_empty());
        assert!(
            records(&body)
                .iter()
                .all(|r| r["from"]["phoneNumber"] == caller.as_str() || r["to"]["phoneNumber"] == caller.as_str())
        );
    }

    let bad = sim.get(&format!("{MINE}?type=Video"));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["parameterName"], "type");
}

#[test]
fn per_page_max_and_detailed_view() {
    let sim = Sim::start();
    let body = sim.get_ok(&format!("{MINE}?{ALL_TIME}&perPage=max&view=Detailed"));
    assert_eq!(body["paging"]["perPage"], 1000);
    let record = &records(&body)[0];
    assert!(record["legs"].as_array().is_some_and(|l| !l.is_empty()));
    assert!(record["billing"].is_object());
    assert!(record["uri"].as_str().unwrap().ends_with("?view=Detailed"));
    let simple = sim.get_ok(&format!("{MINE}?{ALL_TIME}"));
    assert!(records(&simple)[0].get("legs").is_none());
}

#[test]
fn get_by_id_from_extension_and_account() {
    let sim = Sim::start();
    let listed = records(&sim.get_ok(MINE))[0].clone();
    let id = listed["id"].as_str().unwrap();
    assert_eq!(sim.get_ok(&format!("{MINE}/{id}")), listed);

    let account = sim.get_ok(&format!("{ACCOUNT}/{id}"));
    assert_eq!(account["id"], id);
    assert_eq!(account["extension"]["id"], sim.get_ok(ME)["id"]);

    let missing = sim.get(&format!("{MINE}/NoSuchCall"));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["errors"][0]["parameterName"], "callRecordId");

    // Another extension's call is not in mine.
    let theirs = sim.get_ok(&format!("{ACCOUNT}?{ALL_TIME}&extensionNumber=102"));
    let other_id = records(&theirs)[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(sim.get(&format!("{MINE}/{other_id}")).status, 404);
    assert_eq!(sim.get(&format!("{ACCOUNT}/{other_id}")).status, 200);
}
