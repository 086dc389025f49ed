//! The personal address book.

mod common;

use common::{Sim, TOKEN};
use serde_json::{Value, json};

const CONTACTS: &str = "/restapi/v1.0/account/~/extension/~/address-book/contact";

fn records(body: &Value) -> Vec<Value> {
    body["records"].as_array().cloned().unwrap_or_default()
}

fn create(sim: &Sim, body: Value) -> Value {
    let reply = sim.post(CONTACTS, &body);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

#[test]
fn lists_seeded_contacts_with_paging_and_groups() {
    let sim = Sim::start();
    let reply = sim.get(CONTACTS);
    assert_eq!(reply.header("x-rate-limit-group"), Some("heavy"));
    let body = reply.json();
    assert_eq!(records(&body).len(), 4);
    assert!(body["groups"]["uri"].as_str().unwrap().ends_with("/address-book/group"));
    assert!(records(&body).iter().all(|c| c["id"].is_u64() && c["availability"] == "Alive" && c["uri"].is_string()));

    let page = sim.get_ok(&format!("{CONTACTS}?perPage=3&page=2"));
    assert_eq!(records(&page).len(), 1);
    assert_eq!(page["paging"]["totalPages"], 2);
}

#[test]
fn starts_with_matches_first_or_last_name_ignoring_case() {
    let sim = Sim::start();
    let first = records(&sim.get_ok(CONTACTS))[0].clone();
    let first_name = first["firstName"].as_str().unwrap();
    let last_name = first["lastName"].as_str().unwrap();
    for prefix in [first_name[..2].to_lowercase(), last_name[..3].to_uppercase()] {
        let found = records(&sim.get_ok(&format!("{CONTACTS}?startsWith={prefix}")));
        assert!(found.contains(&first), "{prefix}");
        assert!(found.iter().all(|c| {
            let p = prefix.to_lowercase();
            c["firstName"].as_str().unwrap().to_lowercase().starts_with(&p)
                || c["lastName"].as_str().unwrap().to_lowercase().starts_with(&p)
        }));
    }
    assert!(records(&sim.get_ok(&format!("{CONTACTS}?startsWith=zzz"))).is_empty());
}

#[test]
fn filters_by_phone_number_and_sorts() {
    let sim = Sim::start();
    let all = records(&sim.get_ok(CONTACTS));
    let mobile = all[1]["mobilePhone"].as_str().unwrap();
    let found = records(&sim.get_ok(&format!("{CONTACTS}?phoneNumber={}", mobile.replace('+', "%2B"))));
    assert_eq!(found, vec![all[1].clone()]);

    let sorted = records(&sim.get_ok(&format!("{CONTACTS}?sortBy=FirstName")));
    let names: Vec<&str> = sorted.iter().map(|c| c["firstName"].as_str().unwrap()).collect();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(sim.get(&format!("{CONTACTS}?sortBy=Age")).status, 400);
}

#[test]
fn create_read_replace_patch_delete() {
    let sim = Sim::start();
    let created = create(
        &sim,
        json!({
            "firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Engines",
            "email": "ada@example.com", "mobilePhone": "+14155550142",
            "businessAddress": { "city": "London", "country": "UK" }
        }),
    );
    let id = created["id"].as_u64().unwrap();
    assert_eq!(created["firstName"], "Ada");
    assert_eq!(created["businessAddress"]["city"], "London");
    assert!(created["uri"].as_str().unwrap().ends_with(&format!("/address-book/contact/{id}")));
    let path = format!("{CONTACTS}/{id}");
    assert_eq!(sim.get_ok(&path), created);
    assert!(records(&sim.get_ok(&format!("{CONTACTS}?startsWith=lov"))).contains(&created));

    let patched =
        sim.send("PATCH", &path, Some(TOKEN), Some(&json!({ "company": "Babbage & Co", "email": null }).to_string()));
    assert_eq!(patched.status, 200, "{}", patched.text);
    let patched = patched.json();
    assert_eq!(patched["company"], "Babbage & Co");
    assert!(patched.get("email").is_none(), "null removes a field");
    assert_eq!(patched["firstName"], "Ada", "unnamed fields stay");

    let replaced = sim.send("PUT", &path, Some(TOKEN), Some(&json!({ "firstName": "Augusta" }).to_string())).json();
    assert_eq!(replaced["firstName"], "Augusta");
    assert!(replaced.get("lastName").is_none(), "PUT replaces the whole contact");
    assert!(replaced.get("businessAddress").is_none());
    assert_eq!(replaced["id"], id);

    let deleted = sim.send("DELETE", &path, Some(TOKEN), None);
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.text, "");
    let gone = sim.get(&path);
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["errors"][0]["parameterName"], "contactId");
    assert_eq!(sim.send("DELETE", &path, Some(TOKEN), None).status, 404);
}

#[test]
fn bad_bodies_and_ids_are_refused() {
    let sim = Sim::start();
    let typo = sim.post(CONTACTS, &json!({ "fristName": "Ada" }));
    assert_eq!(typo.status, 400);
    assert_eq!(typo.error_code(), "CMN-103");
    assert!(typo.json()["message"].as_str().unwrap().contains("fristName"));
    let wrong_type = sim.post(CONTACTS, &json!({ "firstName": 5 }));
    assert_eq!(wrong_type.status, 400);
    let broken = sim.send("POST", CONTACTS, Some(TOKEN), Some("{"));
    assert_eq!(broken.error_code(), "CMN-103");

    let existing = records(&sim.get_ok(CONTACTS))[0]["id"].clone();
    let bad_patch = sim.send("PATCH", &format!("{CONTACTS}/{existing}"), Some(TOKEN), Some("[1]"));
    assert_eq!(bad_patch.status, 400);
    assert_eq!(sim.get(&format!("{CONTACTS}/not-a-number")).status, 400);
    assert_eq!(sim.get(&format!("{CONTACTS}/1")).status, 404);
}
