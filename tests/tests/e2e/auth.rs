//! OAuth through the real binaries: the JWT bearer grant done by the host,
//! the on-disk token cache shared by processes, refresh under a cross-process
//! lock, re-authentication on `401 TokenInvalid`, and clear errors.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::Duration;

use kosmo_harness::*;
use serde_json::{Value, json};

const ME: &str = "/restapi/v1.0/account/~/extension/~";
const CALL: &str = "return app.integrations.ringcentral.get_current_user({}).extensionNumber";
const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn ok(run: &Run) -> Value {
    let envelope = run.envelope();
    assert_eq!(envelope["success"], true, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    envelope
}

/// The bearer tokens the API requests to `ME` carried, in order.
fn bearers(sim: &Sim) -> Vec<String> {
    sim.requests_to("GET", ME)
        .iter()
        .map(|r| r["headers"]["authorization"].as_str().unwrap_or_default().trim_start_matches("Bearer ").to_string())
        .collect()
}

fn cache_files(plugins: &Path) -> Vec<std::path::PathBuf> {
    let dir = plugins.join("cache/kosmo/tokens");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
}

#[test]
fn the_host_does_the_jwt_grant_and_caches_the_token_across_runs() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    ok(&lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]));
    ok(&lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]));

    // One token request, by the host, as RingCentral specifies it...
    let grants = sim.requests_to("POST", TOKEN_PATH);
    assert_eq!(grants.len(), 1, "the second run used the cached token: {grants:?}");
    let grant = &grants[0];
    assert_eq!(grant["headers"]["authorization"], "Basic c2ltLWNsaWVudDpzaW0tc2VjcmV0", "Basic sim-client:sim-secret");
    assert_eq!(grant["headers"]["content-type"], "application/x-www-form-urlencoded");
    let body = grant["body"].as_str().unwrap();
    assert!(body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"), "{body}");
    assert!(body.contains("assertion=sim-jwt"), "{body}");

    // ...and both API calls carried the issued token.
    let used = bearers(&sim);
    assert_eq!(used.len(), 2);
    assert!(used[0].starts_with("SIMAT"), "an issued token, not a static one: {used:?}");
    assert_eq!(used[0], used[1]);

    // The cache: one private file in a private directory under the user cache dir.
    let files = cache_files(plugins.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.contains("default") && name.contains("sim-client"), "keyed by account and client id: {name}");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(files[0].parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(cached["access_token"], used[0].as_str());
    assert!(!cached.to_string().contains(SIM_JWT) && !cached.to_string().contains(SIM_CLIENT_SECRET));
}

#[test]
fn two_processes_with_an_expired_token_refresh_exactly_once() {
    let sim = Sim::with_args(&["--access-token-ttl", "2"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    ok(&lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]));
    std::thread::sleep(Duration::from_millis(2200));

    // Slow the token endpoint down, so the second process asks while the first
    // one's refresh is still in flight.
    sim.faults(json!({ "method": "POST", "path": TOKEN_PATH, "kind": "slow", "delay_ms": 700, "times": 5 }));
    let script = ["integrations:lua", "--eval", CALL, "--json"];
    let first = spawn(kosmo_jwt(&sim, plugins.path()).args(script), None);
    let second = spawn(kosmo_jwt(&sim, plugins.path()).args(script), None);
    let (first, second) = (first.finish(), second.finish());
    ok(&first);
    ok(&second);

    assert_eq!(sim.token_grants(), [JWT_GRANT, "refresh_token"], "exactly one refresh for the two processes");
    let used = bearers(&sim);
    assert_eq!(used.len(), 3, "{used:?}");
    assert_ne!(used[1], used[0], "the expired token was not used again");
    assert_eq!(used[1], used[2], "both processes used the one refreshed token");
}

#[test]
fn one_process_keeps_its_token_in_memory_and_renews_it_before_expiry() {
    // Tokens live 2 s; the host renews a token in its last fifth of life.
    let sim = Sim::with_args(&["--access-token-ttl", "2"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let script = "local rc = app.integrations.ringcentral
         local numbers = {}
         for i = 1, 3 do numbers[#numbers + 1] = rc.get_current_user({}).extensionNumber end
         local started = os.time()
         while os.time() < started + 3 do end
         for i = 1, 3 do numbers[#numbers + 1] = rc.get_current_user({}).extensionNumber end
         return numbers";
    let envelope = ok(&lua_json(&mut kosmo_jwt(&sim, plugins.path()), script, &[]));
    assert_eq!(envelope["result"][0], json!(["101", "101", "101", "101", "101", "101"]), "{envelope}");

    assert_eq!(sim.token_grants(), [JWT_GRANT, "refresh_token"], "one grant, then one refresh at expiry");
    let used = bearers(&sim);
    assert_eq!(used.len(), 6, "no request was refused and sent again: {used:?}");
    assert!(used[..3].iter().all(|t| *t == used[0]), "the first calls share one token: {used:?}");
    assert!(used[3..].iter().all(|t| *t == used[3]), "the later calls share the renewed one: {used:?}");
    assert_ne!(used[0], used[3], "the expired token was not sent: {used:?}");
}

#[test]
fn a_rejected_token_is_renewed_once_and_the_request_sent_again() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    ok(&lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]));
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "expired_token" }));
    let run = lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]);
    let envelope = ok(&run);
    assert_eq!(envelope["result"][0], "101", "{envelope}");
    assert!(run.stderr.contains("renewed"), "the retry is logged: {}", run.stderr);

    assert_eq!(sim.token_grants(), [JWT_GRANT, "refresh_token"]);
    let used = bearers(&sim);
    assert_eq!(used.len(), 3, "first run, the rejected request, the retry: {used:?}");
    assert_eq!(used[0], used[1]);
    assert_ne!(used[1], used[2], "the retry carried the renewed token");

    // A server that keeps refusing gets one renewal per call, not a loop.
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "expired_token", "times": 5 }));
    let run = lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false);
    let error = envelope["error"].as_str().unwrap();
    assert!(error.contains("HTTP 401") && error.contains("Access token expired"), "{error}");
    assert!(error.contains("refused the renewed access token too"), "{error}");
    assert_eq!(sim.requests_to("GET", ME).len(), 5, "two more requests, then the error");
}

#[test]
fn an_sms_refused_with_an_expired_token_is_sent_once_after_renewal() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let sms = "/restapi/v1.0/account/~/extension/~/sms";
    sim.faults(json!({ "method": "POST", "path": sms, "kind": "expired_token" }));
    let script = "return app.integrations.ringcentral.send_sms({from = '+16505550101', to = '+14155550123', \
                  text = 'after renewal'}).id";
    let run = lua_json(&mut kosmo_jwt(&sim, plugins.path()), script, &["--force"]);
    ok(&run);
    // The 401 means the server refused the request, so resending it cannot
    // send a second text: two POSTs reached the server, one SMS exists.
    assert_eq!(sim.requests_to("POST", sms).len(), 2);
    let list = ureq::get(format!("{}/restapi/v1.0/account/~/extension/~/message-store?perPage=1000", sim.url))
        .header("Authorization", format!("Bearer {SIM_TOKEN}"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let list: Value = serde_json::from_str(&list).unwrap();
    let sent = list["records"].as_array().unwrap().iter().filter(|m| m["subject"] == "after renewal").count();
    assert_eq!(sent, 1);
}

#[test]
fn a_static_token_that_expired_is_a_clear_error() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    sim.faults(json!({ "method": "GET", "path": ME, "kind": "expired_token" }));
    let run = lua_json(&mut kosmo_on(&sim, plugins.path()), CALL, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false);
    let error = envelope["error"].as_str().unwrap();
    assert!(error.contains("HTTP 401") && error.contains("Access token expired"), "{error}");
    assert_eq!(sim.requests_to("GET", ME).len(), 1, "a static token is not renewed");
    assert!(sim.token_grants().is_empty());
}

#[test]
fn a_refresh_token_used_elsewhere_falls_back_to_the_jwt_grant() {
    let sim = Sim::with_args(&["--access-token-ttl", "1"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    ok(&lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]));

    // Someone else spends the cached refresh token (it is single-use).
    let file = &cache_files(plugins.path())[0];
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let refresh_token = cached["refresh_token"].as_str().unwrap();
    let spent = ureq::post(format!("{}{TOKEN_PATH}", sim.url))
        .header("Authorization", "Basic c2ltLWNsaWVudDpzaW0tc2VjcmV0")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(format!("grant_type=refresh_token&refresh_token={refresh_token}"))
        .expect("refresh");
    assert_eq!(spent.status(), 200);
    std::thread::sleep(Duration::from_millis(1100));

    ok(&lua_json(&mut kosmo_jwt(&sim, plugins.path()), CALL, &[]));
    assert_eq!(sim.token_grants(), [JWT_GRANT, "refresh_token", "refresh_token", JWT_GRANT]);
}

#[test]
fn bad_client_credentials_are_a_clear_error_that_reveals_no_secret() {
    let sim = Sim::start();
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let wrong_secret = "wrong-secret-5e1b07";
    let run = lua_json(kosmo_jwt(&sim, plugins.path()).env("RC_APP_CLIENT_SECRET", wrong_secret), CALL, &[]);
    let envelope = run.envelope();
    assert_eq!(envelope["success"], false);
    let error = envelope["error"].as_str().unwrap();
    assert!(error.contains("invalid_client") && error.contains("RC_APP_CLIENT_SECRET"), "{error}");
    let everything = format!("{}{}", run.stdout, run.stderr);
    assert!(!everything.contains(wrong_secret) && !everything.contains(SIM_JWT), "{everything}");
    assert!(sim.requests_to("GET", ME).is_empty(), "no API request without a token");

    let run = lua_json(kosmo_jwt(&sim, plugins.path()).env("RC_USER_JWT", "not-the-jwt"), CALL, &[]);
    let error = run.envelope()["error"].as_str().unwrap().to_string();
    assert!(error.contains("invalid_grant") && error.contains("RC_USER_JWT"), "{error}");
    assert!(!run.stdout.contains("not-the-jwt") && !run.stderr.contains("not-the-jwt"));
}

#[test]
fn named_accounts_from_the_config_file_have_their_own_cached_tokens() {
    let sim = Sim::with_args(&["--jwt", "work-jwt", "--jwt", "support-jwt"]);
    let plugins = plugin_dir(&[&ringcentral_plugin()]);
    let config = plugins.path().join("kosmo.toml");
    std::fs::write(
        &config,
        format!(
            r#"
            [integrations.ringcentral.accounts.work]
            server_url = "{url}"
            allow_loopback_server = true
            client_id = "{SIM_CLIENT_ID}"
            client_secret = "{SIM_CLIENT_SECRET}"
            jwt = "work-jwt"
            [integrations.ringcentral.accounts.support]
            server_url = "{url}"
            allow_loopback_server = true
            client_id = "{SIM_CLIENT_ID}"
            client_secret = "{SIM_CLIENT_SECRET}"
            jwt = "support-jwt"
            "#,
            url = sim.url
        ),
    )
    .unwrap();
    let script = "local w = app.integrations.ringcentral.work.get_current_user({})
                  local s = app.integrations.ringcentral.support.get_current_user({})
                  return w.id == s.id";
    let mut command = kosmo(plugins.path());
    command.env("KOSMO_CONFIG", &config);
    ok(&lua_json(&mut command, script, &[]));
    let grants = sim.requests_to("POST", TOKEN_PATH);
    let assertions: Vec<&str> = grants.iter().map(|g| g["body"].as_str().unwrap()).collect();
    assert!(assertions[0].contains("assertion=work-jwt") && assertions[1].contains("assertion=support-jwt"));
    let used = bearers(&sim);
    assert_ne!(used[0], used[1], "each account has its own session");
    assert_eq!(cache_files(plugins.path()).len(), 2);
}
