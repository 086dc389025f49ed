//! `GET /restapi/v1.0/account/{a}/extension/{e}`.

mod common;

use common::{ME, Sim};

#[test]
fn current_extension_is_user_101_with_service_features() {
    let sim = Sim::start();
    let me = sim.get_ok(ME);
    assert_eq!(me["extensionNumber"], "101");
    assert_eq!(me["type"], "User");
    assert_eq!(me["status"], "Enabled");
    assert!(me["id"].is_u64());
    assert!(me["name"].is_string());
    assert!(me["contact"]["email"].is_string());
    assert!(me["account"]["id"].is_string(), "account.id is a string inside the extension");
    assert_eq!(
        me["uri"],
        format!("{}/restapi/v1.0/account/{}/extension/{}", sim.base, me["account"]["id"].as_str().unwrap(), me["id"])
    );
    assert!(me["serviceFeatures"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn real_ids_resolve_to_the_same_extension() {
    let sim = Sim::start();
    let me = sim.get_ok(ME);
    let by_id =
        sim.get_ok(&format!("/restapi/v1.0/account/{}/extension/{}", me["account"]["id"].as_str().unwrap(), me["id"]));
    assert_eq!(by_id, me);
}

#[test]
fn unknown_extension_or_account_is_cmn_102() {
    let sim = Sim::start();
    let reply = sim.get("/restapi/v1.0/account/~/extension/12345");
    assert_eq!(reply.status, 404);
    let body = reply.json();
    assert_eq!(body["errorCode"], "CMN-102");
    assert_eq!(body["errors"][0]["parameterName"], "extensionId");
    assert_eq!(body["message"], "Resource for parameter [extensionId] is not found");

    let reply = sim.get("/restapi/v1.0/account/999/extension/~");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["errors"][0]["parameterName"], "accountId");
}
