//! `create-client`: a confidential client with a service account, its
//! secret printed; exit 15 when it already exists, the client untouched.

use crate::common::Run;
use crate::sandbox::{sandbox, unique};

#[test]
fn create_client_prints_the_secret_of_a_new_confidential_client_with_a_service_account() {
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
}

#[test]
fn creating_an_existing_client_is_refused_with_exit_15_and_leaves_it_unchanged() {
    let client = unique("kk-existing");
    let secret = format!("{client}-kept-secret");
    // Made apart from the plugin, with a secret of the test's choosing.
    sandbox().ensure_client("shasta", &client, &secret);
    let existing = sandbox().client("shasta", &client).unwrap();
    let refused = format!(
        "kubectl-keycloak: error: client \"{client}\" already exists in realm \"shasta\"; \
         get its secret with: kubectl keycloak client-secret {client}"
    );
    for args in [&["create-client", &client, "--service-account"][..], &["create-client", &client]] {
        Run::kubectl(args).run().fails_with(15, &refused);
        assert_eq!(sandbox().secret_of("shasta", &client), secret, "{args:?} changed the secret");
        assert_eq!(sandbox().client("shasta", &client).as_ref(), Some(&existing), "{args:?} changed the client");
    }
}
