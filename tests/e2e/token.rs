//! `token`: a working master-realm admin token, with its expiry.

use base64::Engine;
use jiff::Timestamp;
use serde_json::Value;

use crate::common::{Run, register_secret};
use crate::sandbox::sandbox;

/// The access-token lifespan Keycloak gives admin-cli in the master realm,
/// in seconds: the client's own setting, else the realm's.
fn admin_token_lifespan() -> i64 {
    let (status, realm) = sandbox().admin("GET", "/master", None);
    assert_eq!(status, 200, "{realm}");
    let client = sandbox().client("master", "admin-cli").expect("admin-cli");
    let own = client["attributes"]["access.token.lifespan"].as_str().and_then(|s| s.parse().ok()).filter(|&s: &i64| s > 0);
    own.or_else(|| realm["accessTokenLifespan"].as_i64()).expect("a token lifespan")
}

/// The claims of a JWT: three base64url parts, the first a header naming its
/// algorithm. Decoded here apart from the plugin's own reader.
fn jwt_claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let decode = |part: &str| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    assert!(decode(parts[0])["alg"].is_string(), "a JWT header names its algorithm");
    assert!(!parts[2].is_empty(), "a JWT carries a signature");
    decode(parts[1])
}

/// `expires` is the token's `exp`, in the future, and that of a token
/// issued between `before` and `after` for Keycloak's lifespan.
fn assert_fresh_expiry(expires: Timestamp, token: &str, before: Timestamp, after: Timestamp, lifespan: i64) {
    let claims = jwt_claims(token);
    assert_eq!(claims["exp"].as_i64(), Some(expires.as_second()), "the printed expiry is the token's: {claims}");
    assert!(expires > Timestamp::now(), "{expires} is past");
    let issued = expires.as_second() - lifespan;
    assert!(
        (before.as_second() - 1..=after.as_second() + 1).contains(&issued),
        "{expires} is not {lifespan} s after the run ({before} to {after})"
    );
}

#[test]
fn token_is_a_working_admin_token_that_expires_a_lifespan_after_it_was_issued() {
    let lifespan = admin_token_lifespan();
    let before = Timestamp::now();
    let out = Run::kubectl(&["token"]).run().success();
    let after = Timestamp::now();
    let lines: Vec<&str> = out.stdout.lines().collect();
    // Messages show no line holding the token.
    assert_eq!(lines.len(), 2, "the expiry and the export line, not {} lines", lines.len());
    let expires: Timestamp = lines[0].strip_prefix("# expires ").expect("the expiry comment").parse().expect("an RFC 3339 time");
    let token = lines[1].strip_prefix("export KEYCLOAK_TOKEN='").and_then(|t| t.strip_suffix('\'')).expect("export line");
    register_secret(token);
    assert_fresh_expiry(expires, token, before, after, lifespan);
    let url = format!("{}/admin/realms/shasta/clients?clientId=my-test-client", sandbox().keycloak_url);
    let mut response = sandbox().agent().get(&url).header("Authorization", format!("Bearer {token}")).call().unwrap();
    assert_eq!(response.status(), 200);
    let clients: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(clients[0]["clientId"], "my-test-client", "{clients}");

    let before = Timestamp::now();
    let json: Value = serde_json::from_str(&Run::kubectl(&["token", "-o", "json"]).run().success().stdout).unwrap();
    let after = Timestamp::now();
    let token = json["token"].as_str().unwrap();
    register_secret(token);
    let expires: Timestamp = json["expiresAt"].as_str().expect("expiresAt").parse().expect("an RFC 3339 time");
    assert_fresh_expiry(expires, token, before, after, lifespan);
    let expires_in = json["expiresIn"].as_i64().unwrap();
    assert!((1..=lifespan).contains(&expires_in), "expiresIn {expires_in} for a lifespan of {lifespan} s");
    let counted = expires.as_second() - after.as_second() - 1..=expires.as_second() - before.as_second();
    assert!(counted.contains(&expires_in), "expiresIn {expires_in} counts from the run to expiresAt {expires}");
}
