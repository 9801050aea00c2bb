//! `client-secret --to-secret`: the secret stored in a Kubernetes Secret,
//! created if absent, only its key changed; printed only when -o asks.

use serde_json::{Value, json};

use crate::common::Run;
use crate::sandbox::{apply_secret, kubectl, sandbox, secret_data, unique};

#[test]
fn to_secret_creates_the_secret_and_prints_nothing() {
    let name = unique("kk-store");
    Run::kubectl(&["client-secret", "my-test-client", "--to-secret", &format!("default/{name}")])
        .run()
        .success_noting(&format!(
            "kubectl-keycloak: created Secret default/{name} (key client-secret) with the secret of client \"my-test-client\""
        ))
        .stdout_is("");
    assert_eq!(secret_data("default", &name), json!({"client-secret": sandbox().secret_of("shasta", "my-test-client")}));
}

#[test]
fn to_secret_changes_only_its_key_and_prints_when_asked() {
    let name = unique("kk-store-merge");
    apply_secret("services", &name, &[("endpoint", "https://x"), ("client-id", "admin-client"), ("client-secret", "stale")]);
    let expected = sandbox().secret_of("shasta", "admin-client");
    Run::kubectl(&["client-secret", "admin-client", "--to-secret", &name, "-o", "raw"])
        .run()
        .success_noting(&format!(
            "kubectl-keycloak: updated Secret services/{name} (key client-secret) with the secret of client \"admin-client\""
        ))
        .stdout_is(&format!("{expected}\n"));
    assert_eq!(
        secret_data("services", &name),
        json!({"endpoint": "https://x", "client-id": "admin-client", "client-secret": expected})
    );
    Run::kubectl(&["client-secret", "admin-client", "--to-secret", &format!("{name}:other-key")])
        .run()
        .success_noting(&format!(
            "kubectl-keycloak: updated Secret services/{name} (key other-key) with the secret of client \"admin-client\""
        ))
        .stdout_is("");
    assert_eq!(
        secret_data("services", &name),
        json!({"endpoint": "https://x", "client-id": "admin-client", "client-secret": expected, "other-key": expected})
    );
}

/// The Secret's labels and annotations.
fn metadata(namespace: &str, name: &str) -> (Value, Value) {
    let secret: Value = serde_json::from_str(&kubectl(&["get", "secret", "-n", namespace, name, "-o", "json"], "")).unwrap();
    (secret["metadata"]["labels"].clone(), secret["metadata"]["annotations"].clone())
}

/// The provenance annotations, `written-at` checked for shape and dropped.
fn provenance(annotations: &Value, client_id: &str) {
    let written_at = annotations["kubectl-keycloak/written-at"].as_str().expect("written-at");
    assert!(written_at.starts_with("20") && written_at.ends_with('Z') && written_at.len() == 20, "{annotations}");
    let mut rest = annotations.clone();
    rest.as_object_mut().unwrap().remove("kubectl-keycloak/written-at");
    assert_eq!(
        rest,
        json!({
            "kubectl-keycloak/keycloak-url": sandbox().keycloak_url,
            "kubectl-keycloak/realm": "shasta",
            "kubectl-keycloak/client-id": client_id,
        })
    );
}

#[test]
fn keys_select_and_rename_the_fields_written() {
    let name = unique("kk-store-keys");
    Run::kubectl(&[
        "client-secret",
        "my-test-client",
        "--to-secret",
        &format!("default/{name}"),
        "--keys",
        "clientID=client-id,clientSecret=client-secret,issuer",
    ])
    .run()
    .success_noting(&format!(
        "kubectl-keycloak: created Secret default/{name} (keys clientID, clientSecret, issuer) with the secret of client \"my-test-client\""
    ))
    .stdout_is("");
    let url = &sandbox().keycloak_url;
    assert_eq!(
        secret_data("default", &name),
        json!({
            "clientID": "my-test-client",
            "clientSecret": sandbox().secret_of("shasta", "my-test-client"),
            "issuer": format!("{url}/realms/shasta"),
        })
    );
    // Every field, on the same Secret: the renamed keys stay.
    Run::kubectl(&[
        "client-secret",
        "my-test-client",
        "--to-secret",
        &format!("default/{name}"),
        "--keys",
        "client-id,client-secret,realm,issuer,token-url,keycloak-url",
    ])
    .run()
    .success_noting(&format!(
        "kubectl-keycloak: updated Secret default/{name} (keys client-id, client-secret, realm, issuer, token-url, keycloak-url) \
         with the secret of client \"my-test-client\""
    ));
    let secret = sandbox().secret_of("shasta", "my-test-client");
    assert_eq!(
        secret_data("default", &name),
        json!({
            "clientID": "my-test-client",
            "clientSecret": secret,
            "client-id": "my-test-client",
            "client-secret": secret,
            "realm": "shasta",
            "issuer": format!("{url}/realms/shasta"),
            "token-url": format!("{url}/realms/shasta/protocol/openid-connect/token"),
            "keycloak-url": url,
        })
    );
}

#[test]
fn secrets_written_carry_provenance_and_keep_another_owners_label() {
    let name = unique("kk-store-provenance");
    Run::kubectl(&["client-secret", "my-test-client", "--to-secret", &format!("default/{name}")]).run();
    let (labels, annotations) = metadata("default", &name);
    assert_eq!(labels, json!({"app.kubernetes.io/managed-by": "kubectl-keycloak"}));
    provenance(&annotations, "my-test-client");

    // A Secret someone else manages keeps its label; it gains the annotations.
    let helm = unique("kk-store-helm");
    let manifest = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": helm, "namespace": "default", "labels": {"app.kubernetes.io/managed-by": "Helm"}},
        "stringData": {"other": "kept"},
    });
    kubectl(&["apply", "-f", "-"], &manifest.to_string());
    Run::kubectl(&["client-secret", "admin-client", "--to-secret", &format!("default/{helm}")]).run().success_noting(&format!(
        "kubectl-keycloak: updated Secret default/{helm} (key client-secret) with the secret of client \"admin-client\""
    ));
    let (labels, annotations) = metadata("default", &helm);
    assert_eq!(labels, json!({"app.kubernetes.io/managed-by": "Helm"}));
    let mut ours = annotations.clone();
    ours.as_object_mut().unwrap().retain(|key, _| key.starts_with("kubectl-keycloak/"));
    provenance(&ours, "admin-client");
    assert_eq!(
        secret_data("default", &helm),
        json!({"other": "kept", "client-secret": sandbox().secret_of("shasta", "admin-client")})
    );
    // Found by the label.
    let listed =
        kubectl(&["get", "secret", "-n", "default", "-l", "app.kubernetes.io/managed-by=kubectl-keycloak", "-o", "name"], "");
    assert!(listed.lines().any(|line| line == format!("secret/{name}")), "{listed}");
}

#[test]
fn key_options_that_do_not_fit_are_refused_before_any_request() {
    // clap parses --keys: a bad one is refused with its usage error.
    let keys = |value: &str, message: &str| format!("error: invalid value '{value}' for '--keys <[KEY=]FIELD,…>': {message}");
    let parse_time = [
        (
            "password",
            keys(
                "password",
                "--keys: unknown field \"password\"; the fields are client-id, client-secret, realm, issuer, token-url, keycloak-url",
            ),
        ),
        (
            "a/b=client-id",
            keys("a/b=client-id", "\"a/b\" cannot be a key of a Secret: use letters, digits, '-', '_' and '.' (at most 253)"),
        ),
    ];
    for (value, line) in parse_time {
        Run::kubectl(&["client-secret", "my-test-client", "--to-secret", "default/x", "--keys", value])
            .run()
            .refused_at_parse(&line);
    }
    let cases: [(&[&str], &str); 3] = [
        (
            &["--to-secret", "default/x:key", "--keys", "client-id"],
            "name the keys either after --to-secret's ':' or with --keys, not both",
        ),
        (&["--keys", "client-id"], "--keys chooses what --to-secret and -o secret write; give one of them"),
        (
            &["--to-secret", "default/Bad_Name"],
            "\"Bad_Name\" cannot name a Secret (--to-secret): use lower-case letters, digits, '-' and '.', \
             starting and ending with a letter or digit (a DNS-1123 subdomain, at most 253 characters)",
        ),
    ];
    for (args, message) in cases {
        let mut run = Run::kubectl(&["client-secret", "my-test-client"]);
        for arg in args {
            run = run.arg(arg);
        }
        run.run().fails_with(2, &format!("kubectl-keycloak: error: {message}"));
    }
}

#[test]
fn json_carries_every_field() {
    let out = Run::kubectl(&["client-secret", "my-test-client", "-o", "json"]).run().success();
    let url = &sandbox().keycloak_url;
    assert_eq!(
        serde_json::from_str::<Value>(&out.stdout).unwrap(),
        json!({
            "authenticator": "client-secret",
            "clientId": "my-test-client",
            "realm": "shasta",
            "secret": sandbox().secret_of("shasta", "my-test-client"),
            "issuer": format!("{url}/realms/shasta"),
            "tokenUrl": format!("{url}/realms/shasta/protocol/openid-connect/token"),
            "keycloakUrl": url,
        })
    );
}
