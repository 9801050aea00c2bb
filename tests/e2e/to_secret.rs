//! `client-secret --to-secret`: the secret stored in a Kubernetes Secret,
//! created if absent, only its key changed; printed only when -o asks.

use serde_json::json;

use crate::common::Run;
use crate::sandbox::{apply_secret, sandbox, secret_data, unique};

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
