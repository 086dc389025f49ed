//! `GET .../message-store`: the 24-hour default window, filters and paging.

mod common;

use common::{ME, START, Sim, ids};
use serde_json::Value;

const LIST: &str = "/restapi/v1.0/account/~/extension/~/message-store";
/// Reaches back past the whole seeded history.
const ALL_TIME: &str = "dateFrom=2024-01-01T00:00:00Z";

fn times(body: &Value) -> Vec<String> {
    body["records"].as_array().unwrap().iter().map(|r| r["creationTime"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn default_window_is_the_last_24_hours_newest_first() {
    let sim = Sim::start();
    let body = sim.get_ok(LIST);
    let times = times(&body);
    assert!(times.len() >= 5, "at least five messages in the last day: {times:?}");
    assert!(
        times.iter().all(|t| t.as_str() >= "2025-05-31T12:00:00.000Z" && t.as_str() <= "2025-06-01T12:01:00.000Z"),
        "{times:?}"
    );
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    // The echo names the resolved extension and the defaults the server applied.
    let uri = body["uri"].as_str().unwrap();
    let me = sim.get_ok(ME);
    let prefix =
        format!("{}/message-store?availability=Alive&dateFrom=2025-05-31T12%3A00%3A0", me["uri"].as_str().unwrap());
    assert!(uri.starts_with(&prefix), "{uri}");
    assert!(uri.ends_with("&page=1&perPage=100"), "{uri}");
    assert_eq!(body["paging"]["page"], 1);
    assert_eq!(body["paging"]["totalPages"], 1);
    assert_eq!(body["paging"]["perPage"], 100);
    assert_eq!(body["paging"]["totalElements"], times.len());
    assert_eq!(body["paging"]["pageStart"], 0);
    assert_eq!(body["paging"]["pageEnd"], times.len() - 1);
    let navigation: Vec<&String> = body["navigation"].as_object().unwrap().keys().collect();
    assert_eq!(navigation, ["firstPage", "lastPage"]);
}

#[test]
fn ids_are_exact_integers_above_2_pow_53() {
    let sim = Sim::start();
    let reply = sim.get(LIST);
    let body = reply.json();
    let first = &body["records"][0]["id"];
    let id = first.as_u64().expect("integer id");
    assert!(id > 1 << 53);
    assert!(reply.text.contains(&format!("\"id\":{id}")), "emitted as a JSON integer");
}

#[test]
fn older_messages_need_date_from_and_deleted_ones_need_availability() {
    let sim = Sim::start();
    let alive = sim.get_ok(&format!("{LIST}?{ALL_TIME}"));
    // 38 seeded plus the seed reference's message 1234567890.
    assert_eq!(alive["paging"]["totalElements"], 39);
    let deleted = sim.get_ok(&format!("{LIST}?{ALL_TIME}&availability=Deleted"));
    assert_eq!(deleted["paging"]["totalElements"], 2);
    let both = sim.get_ok(&format!("{LIST}?{ALL_TIME}&availability=Alive&availability=Deleted"));
    assert_eq!(both["paging"]["totalElements"], 41);
    let oldest = times(&alive).pop().unwrap();
    assert!(oldest.as_str() < "2025-04-01", "history spans months: {oldest}");
}

#[test]
fn array_filters_use_repeated_keys() {
    let sim = Sim::start();
    let field = |query: &str, name: &str| -> Vec<String> {
        let body = sim.get_ok(&format!("{LIST}?{ALL_TIME}&{query}"));
        body["records"].as_array().unwrap().iter().map(|r| r[name].as_str().unwrap().to_owned()).collect()
    };
    let sms = field("messageType=SMS", "type");
    assert!(!sms.is_empty() && sms.iter().all(|t| t == "SMS"));
    let mixed = field("messageType=Fax&messageType=VoiceMail", "type");
    assert!(mixed.iter().any(|t| t == "Fax") && mixed.iter().any(|t| t == "VoiceMail"));
    assert!(mixed.iter().all(|t| t == "Fax" || t == "VoiceMail"));
    let inbound = field("direction=Inbound", "direction");
    assert!(!inbound.is_empty() && inbound.iter().all(|d| d == "Inbound"));
    let unread = field("readStatus=Unread", "readStatus");
    assert!(!unread.is_empty() && unread.iter().all(|s| s == "Unread"));

    let body = sim.get_ok(&format!("{LIST}?messageType=SMS&direction=Outbound&{ALL_TIME}"));
    let uri = body["uri"].as_str().unwrap();
    assert!(
        uri.contains(
            "?messageType=SMS&direction=Outbound&availability=Alive&dateFrom=2024-01-01T00%3A00%3A00.000Z&page=1"
        ),
        "{uri}"
    );
}

#[test]
fn date_to_bounds_the_window_and_is_echoed() {
    let sim = Sim::start();
    let body = sim.get_ok(&format!("{LIST}?dateFrom=2025-05-01T00:00:00Z&dateTo=2025-05-15T00:00:00Z"));
    let times = times(&body);
    assert!(times.iter().all(|t| t.as_str() >= "2025-05-01" && t.as_str() <= "2025-05-15"), "{times:?}");
    assert!(body["uri"].as_str().unwrap().contains("&dateTo=2025-05-15T00%3A00%3A00.000Z&"));
}

#[test]
fn bad_values_are_cmn_101_with_parameter_name() {
    let sim = Sim::start();
    for (query, parameter) in [
        ("messageType=Sms", "messageType"),
        ("messageType=All", "messageType"),
        ("direction=Sideways", "direction"),
        ("readStatus=Maybe", "readStatus"),
        ("availability=Gone", "availability"),
        ("dateFrom=yesterday", "dateFrom"),
        ("dateTo=2025-13-01", "dateTo"),
        ("perPage=0", "perPage"),
        ("perPage=-5", "perPage"),
        ("perPage=ten", "perPage"),
        ("page=0", "page"),
    ] {
        let reply = sim.get(&format!("{LIST}?{query}"));
        assert_eq!(reply.status, 400, "{query}");
        let body = reply.json();
        assert_eq!(body["errorCode"], "CMN-101", "{query}");
        assert_eq!(body["errors"][0]["parameterName"], parameter, "{query}");
    }
}

#[test]
fn paging_walks_the_list_through_navigation() {
    let sim = Sim::start();
    let all = sim.get_ok(&format!("{LIST}?{ALL_TIME}"));
    let page2 = sim.get_ok(&format!("{LIST}?{ALL_TIME}&perPage=7&page=2"));
    assert_eq!(page2["paging"]["totalPages"], 6);
    assert_eq!(page2["paging"]["totalElements"], 39);
    assert_eq!(page2["paging"]["pageStart"], 7);
    assert_eq!(page2["paging"]["pageEnd"], 13);
    assert_eq!(ids(&page2), ids(&all)[7..14]);

    let next = page2["navigation"]["nextPage"]["uri"].as_str().unwrap();
    let previous = page2["navigation"]["previousPage"]["uri"].as_str().unwrap();
    let page3 = sim.get_ok(next.strip_prefix(&sim.base).unwrap());
    assert_eq!(ids(&page3), ids(&all)[14..21]);
    let page1 = sim.get_ok(previous.strip_prefix(&sim.base).unwrap());
    assert_eq!(ids(&page1), ids(&all)[0..7]);

    let last = sim.get_ok(&format!("{LIST}?{ALL_TIME}&perPage=7&page=6"));
    assert_eq!(ids(&last).len(), 4);
    assert!(last["navigation"].get("nextPage").is_none());

    let beyond = sim.get_ok(&format!("{LIST}?{ALL_TIME}&perPage=7&page=9"));
    assert!(ids(&beyond).is_empty());
    assert!(beyond["paging"].get("pageStart").is_none());
    assert!(beyond["paging"].get("pageEnd").is_none());

    let clamped = sim.get_ok(&format!("{LIST}?perPage=5000"));
    assert_eq!(clamped["paging"]["perPage"], 1000);
}

#[test]
fn same_seed_and_start_time_give_the_same_records() {
    let records = |sim: &Sim| {
        let body = sim.get_ok(&format!("{LIST}?{ALL_TIME}&availability=Alive&availability=Deleted"));
        body["records"].to_string().replace(&sim.base, "BASE")
    };
    let (a, b) = (Sim::start(), Sim::start());
    assert_eq!(records(&a), records(&b));
    let other = Sim::with_args(&["--start-time", START, "--seed", "7"]);
    assert_ne!(records(&a), records(&other));
}

#[test]
fn other_extensions_have_their_own_store() {
    let sim = Sim::start();
    let me = sim.get_ok(ME);
    let mine = sim.get_ok(&format!("/restapi/v1.0/account/~/extension/{}/message-store?{ALL_TIME}", me["id"]));
    assert_eq!(mine["paging"]["totalElements"], 39);
    let unknown = sim.get(&format!("/restapi/v1.0/account/~/extension/1/message-store?{ALL_TIME}"));
    assert_eq!(unknown.status, 404);
}
