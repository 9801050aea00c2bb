//! `token`: a working master-realm admin token, with its expiry.

use serde_json::Value;

use crate::common::{Run, register_secret};
use crate::sandbox::sandbox;

#[test]
fn token_is_a_working_admin_token_with_its_expiry() {
    let out = Run::kubectl(&["token"]).run().success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    assert!(lines[0].starts_with("# expires 20"), "{out:?}");
    let token = lines[1].strip_prefix("export KEYCLOAK_TOKEN='").and_then(|t| t.strip_suffix('\'')).expect("export line");
    register_secret(token);
    let url = format!("{}/admin/realms/shasta/clients?clientId=my-test-client", sandbox().keycloak_url);
    let response = sandbox().agent().get(&url).header("Authorization", format!("Bearer {token}")).call().unwrap();
    assert_eq!(response.status(), 200);
    let json: Value = serde_json::from_str(&Run::kubectl(&["token", "-o", "json"]).run().success().stdout).unwrap();
    register_secret(json["token"].as_str().unwrap());
    let expires_in = json["expiresIn"].as_i64().unwrap();
    assert!((1..=3600).contains(&expires_in), "{json}");
}
