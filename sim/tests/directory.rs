//! Account, extensions, phone numbers and presence.

mod common;

use common::{ME, Sim};
use serde_json::Value;

fn records(body: &Value) -> Vec<Value> {
    body["records"].as_array().cloned().unwrap_or_default()
}

fn field<'a>(records: &'a [Value], name: &str) -> Vec<&'a str> {
    records.iter().map(|r| r[name].as_str().unwrap()).collect()
}

#[test]
fn account_info() {
    let sim = Sim::start();
    let reply = sim.get("/restapi/v1.0/account/~");
    assert_eq!(reply.header("x-rate-limit-group"), Some("light"));
    let account = reply.json();
    assert_eq!(account["id"], 400131868004u64);
    assert_eq!(account["uri"], format!("{}/restapi/v1.0/account/400131868004", sim.base));
    assert_eq!(account["mainNumber"], "+16505550100");
    assert_eq!(account["status"], "Confirmed");
    assert_eq!(account["operator"]["extensionNumber"], "101");
    assert!(account["serviceInfo"]["brand"]["name"].is_string());
    assert!(account["regionalSettings"]["timezone"]["name"].is_string());
    assert_eq!(sim.get_ok("/restapi/v1.0/account/400131868004"), account);
    assert_eq!(sim.get("/restapi/v1.0/account/1").status, 404);
}

#[test]
fn extension_list_filters_by_type_and_status() {
    let sim = Sim::start();
    let path = "/restapi/v1.0/account/~/extension";
    let reply = sim.get(path);
    assert_eq!(reply.header("x-rate-limit-group"), Some("medium"));
    let all = records(&reply.json());
    assert_eq!(field(&all, "extensionNumber"), ["101", "102", "103", "201", "202"]);
    assert!(all.iter().all(|e| e.get("serviceFeatures").is_none()));

    assert_eq!(field(&records(&sim.get_ok(&format!("{path}?type=Department"))), "extensionNumber"), ["201", "202"]);
    let enabled_users = records(&sim.get_ok(&format!("{path}?type=User&status=Enabled")));
    assert_eq!(field(&enabled_users, "extensionNumber"), ["101", "102"]);
    let either = records(&sim.get_ok(&format!("{path}?status=NotActivated&status=Disabled")));
    assert_eq!(field(&either, "extensionNumber"), ["103"]);
    assert_eq!(field(&records(&sim.get_ok(&format!("{path}?extensionNumber=102"))), "extensionNumber"), ["102"]);

    let paged = sim.get_ok(&format!("{path}?perPage=1&page=4"));
    assert_eq!(paged["paging"]["totalPages"], 5);
    assert_eq!(field(&records(&paged), "extensionNumber"), ["201"]);

    let bad = sim.get(&format!("{path}?type=Robot"));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["parameterName"], "type");
}

#[test]
fn other_extensions_resolve_without_service_features() {
    let sim = Sim::start();
    let all = records(&sim.get_ok("/restapi/v1.0/account/~/extension"));
    let sales = all.iter().find(|e| e["type"] == "Department").unwrap();
    let info = sim.get_ok(&format!("/restapi/v1.0/account/~/extension/{}", sales["id"]));
    assert_eq!(info["name"], sales["name"]);
    assert!(info.get("serviceFeatures").is_none());
}

#[test]
fn account_phone_numbers() {
    let sim = Sim::start();
    let path = "/restapi/v1.0/account/~/phone-number";
    let reply = sim.get(path);
    assert_eq!(reply.header("x-rate-limit-group"), Some("heavy"));
    let all = records(&reply.json());
    assert_eq!(all.len(), 8);
    assert!(all.iter().all(|n| n["id"].is_u64() && n["phoneNumber"].as_str().unwrap().starts_with('+')));

    let direct = records(&sim.get_ok(&format!("{path}?usageType=DirectNumber")));
    assert_eq!(direct.len(), 5);
    assert!(direct.iter().all(|n| n["extension"]["extensionNumber"].is_string()));
    let main = records(&sim.get_ok(&format!("{path}?usageType=MainCompanyNumber")));
    assert_eq!(field(&main, "phoneNumber"), ["+16505550100"]);
    assert!(main[0].get("extension").is_none());
    assert_eq!(records(&sim.get_ok(&format!("{path}?status=Pending"))).len(), 1);
    assert_eq!(records(&sim.get_ok(&format!("{path}?paymentType=TollFree"))).len(), 1);
    assert_eq!(sim.get(&format!("{path}?usageType=Mobile")).status, 400);
}

#[test]
fn extension_phone_numbers_carry_features() {
    let sim = Sim::start();
    let path = format!("{ME}/phone-number");
    let reply = sim.get(&path);
    assert_eq!(reply.header("x-rate-limit-group"), Some("light"));
    let mine = records(&reply.json());
    let sms = mine.iter().find(|n| n["phoneNumber"] == "+16505550101").expect("SMS number");
    let features: Vec<&str> = sms["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(features.contains(&"SmsSender") && features.contains(&"CallerId"));
    assert!(mine.iter().any(|n| n["usageType"] == "MainCompanyNumber"));

    let direct = records(&sim.get_ok(&format!("{path}?usageType=DirectNumber")));
    assert_eq!(field(&direct, "phoneNumber"), ["+16505550101", "+16505550109", "+16505551234"]);
    assert!(records(&sim.get_ok(&format!("{path}?status=Pending"))).is_empty());

    let all = records(&sim.get_ok("/restapi/v1.0/account/~/extension?type=Department"));
    let sales = sim.get_ok(&format!("/restapi/v1.0/account/~/extension/{}/phone-number", all[0]["id"]));
    assert_eq!(field(&records(&sales), "phoneNumber"), ["+16505550120"]);
}

#[test]
fn presence_adds_active_calls_when_detailed() {
    let sim = Sim::start();
    let path = format!("{ME}/presence");
    let reply = sim.get(&path);
    assert_eq!(reply.header("x-rate-limit-group"), Some("light"));
    let plain = reply.json();
    assert_eq!(plain["presenceStatus"], "Busy");
    assert_eq!(plain["telephonyStatus"], "CallConnected");
    assert_eq!(plain["extension"]["extensionNumber"], "101");
    assert!(plain.get("activeCalls").is_none());

    let detailed = sim.get_ok(&format!("{path}?detailedTelephonyState=true"));
    let calls = detailed["activeCalls"].as_array().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["direction"], "Inbound");
    assert_eq!(calls[0]["to"], "+16505550101");
    assert!(calls[0]["startTime"].as_str().unwrap() < "2025-06-01T12:00:00.000Z");

    let bad = sim.get(&format!("{path}?detailedTelephonyState=yes"));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["parameterName"], "detailedTelephonyState");
}

#[test]
fn non_user_extensions_are_offline() {
    let sim = Sim::start();
    let all = records(&sim.get_ok("/restapi/v1.0/account/~/extension"));
    let second =
        sim.get_ok(&format!("/restapi/v1.0/account/~/extension/{}/presence?detailedTelephonyState=true", all[1]["id"]));
    assert_eq!(second["presenceStatus"], "Available");
    assert_eq!(second["activeCalls"], serde_json::json!([]));
    let sales = sim.get_ok(&format!("/restapi/v1.0/account/~/extension/{}/presence", all[3]["id"]));
    assert_eq!(sales["presenceStatus"], "Offline");
    assert!(sales.get("telephonyStatus").is_none());
    assert!(sales.get("userStatus").is_none());
}
