//! `create-client`: a confidential client with a service account, its
//! secret printed; exit 15 when it already exists.

use crate::common::Run;
use crate::sandbox::{sandbox, unique};

#[test]
fn create_client_prints_its_secret_and_is_idempotent() {
    let client = unique("kk-created");
    let out = Run::kubectl(&["create-client", &client, "--service-account"])
        .run()
        .success_noting(&format!("kubectl-keycloak: created client \"{client}\" in realm \"shasta\""));
    let secret = sandbox().secret_of("shasta", &client);
    out.stdout_is(&format!("export CLIENT_SECRET='{secret}'\n"));
    let representation = sandbox().client("shasta", &client).unwrap();
    assert_eq!(
        (representation["serviceAccountsEnabled"].as_bool(), representation["publicClient"].as_bool()),
        (Some(true), Some(false))
    );
    Run::kubectl(&["create-client", &client, "--service-account"]).run().fails_with(
        15,
        &format!(
            "kubectl-keycloak: error: client \"{client}\" already exists in realm \"shasta\"; \
             get its secret with: kubectl keycloak client-secret {client}"
        ),
    );
}
