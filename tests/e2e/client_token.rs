//! `client-token`: a client's own access token (client_credentials in its
//! realm), which Keycloak's introspection accepts as that client's.

use base64::Engine;
use serde_json::{Value, json};

use crate::common::{Run, register_secret};
use crate::sandbox::{enc, sandbox, unique};

/// The claims of a JWT, decoded without checking its signature
/// (introspection checks it).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Keycloak's token introspection, authenticated as the client itself.
fn introspect(client_id: &str, secret: &str, token: &str) -> Value {
    let url = format!("{}/realms/shasta/protocol/openid-connect/token/introspect", sandbox().keycloak_url);
    let form = [("token", token), ("client_id", client_id), ("client_secret", secret)];
    let mut response = sandbox().agent().post(&url).send_form(form).expect("introspection");
    assert_eq!(response.status(), 200);
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

#[test]
fn client_token_is_the_clients_own_and_keycloak_accepts_it() {
    let client = unique("kk-client-token");
    let secret = "client-token-secret-1";
    sandbox().ensure_client("shasta", &client, secret);
    // Keycloak 26 introspects a token only for a client in its audience:
    // the client is its own resource server here.
    let id = sandbox().client("shasta", &client).unwrap()["id"].as_str().unwrap().to_string();
    let mapper = json!({
        "name": "own-audience", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
        "config": {"included.client.audience": client, "access.token.claim": "true", "introspection.token.claim": "true"},
    });
    let (status, body) = sandbox().admin("POST", &format!("/shasta/clients/{id}/protocol-mappers/models"), Some(mapper));
    assert_eq!(status, 201, "{body}");

    let out = Run::kubectl(&["client-token", &client]).run().success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    assert!(lines[0].starts_with("# expires 20") && lines[0].ends_with('Z'), "{out:?}");
    let token = lines[1].strip_prefix("export ACCESS_TOKEN='").and_then(|t| t.strip_suffix('\'')).expect("export line");
    register_secret(token);
    let payload = claims(token);
    assert_eq!(payload["azp"], json!(client));
    assert_eq!(payload["iss"], json!(format!("{}/realms/shasta", sandbox().keycloak_url)));
    let answer = introspect(&client, secret, token);
    assert_eq!(answer["active"], json!(true), "{answer}");
    assert_eq!(answer["azp"], json!(client), "{answer}");

    let out = Run::kubectl(&["client-token", &client, "-o", "json", "--var", "IGNORED"]).run().success();
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let token = json["token"].as_str().expect("token");
    register_secret(token);
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["expiresAt", "scope", "token"]);
    let expires_at: jiff::Timestamp = json["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_at.as_second(), claims(token)["exp"].as_i64().unwrap());
    assert!(json["scope"].is_string(), "{json}");
    assert_eq!(introspect(&client, secret, token)["active"], json!(true));

    let out = Run::kubectl(&["client-token", &client, "-o", "fish", "--var", "MY_TOKEN"]).run().success();
    assert!(out.stdout.lines().nth(1).unwrap().starts_with("set -gx MY_TOKEN 'eyJ"), "{out:?}");
}

#[test]
fn a_client_without_a_service_account_gets_its_own_exit_code() {
    let client = unique("kk-client-token-nosa");
    let representation = json!({"clientId": client, "enabled": true, "publicClient": false, "serviceAccountsEnabled": false});
    let (status, body) = sandbox().admin("POST", &format!("/{}/clients", enc("shasta")), Some(representation));
    assert_eq!(status, 201, "{body}");
    Run::kubectl(&["client-token", &client]).run().fails_with(
        18,
        &format!(
            "kubectl-keycloak: error: client \"{client}\" in realm \"shasta\" has no service account, so it cannot get a token \
             of its own; turn on its service account (\"Service accounts roles\", serviceAccountsEnabled) in Keycloak"
        ),
    );
}

#[test]
fn client_token_failures_are_one_line() {
    Run::kubectl(&["client-token", "admin-cli"]).run().fails_with(
        12,
        "kubectl-keycloak: error: client \"admin-cli\" in realm \"shasta\" has no secret: it is a public client; \
         only confidential clients have secrets",
    );
    Run::kubectl(&["client-token", "my-test-client", "-o", "secret"])
        .run()
        .fails_with(2, "kubectl-keycloak: error: -o secret writes a client's secret into a Secret manifest, not a token");
    Run::kubectl(&["client-token", "my-test-client", "--var", "1X"]).run().fails_with(
        2,
        "kubectl-keycloak: error: invalid variable name \"1X\": use letters, digits and _, not starting with a digit",
    );
}
