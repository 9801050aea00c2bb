//! `create-client`: a confidential client with a service account, its
//! secret printed; exit 15 when it already exists.

use crate::common::Run;
use crate::sandbox::{sandbox, unique};

#[test]
fn create_client_prints_its_secret_and_is_idempotent() {
    let client = unique("kk-created");
    let out = Run::kubectl(&["create-client", &client, "--service-account"]).run();
    assert_eq!(out.code, 0, "{out:?}");
    let secret = sandbox().secret_of("shasta", &client);
    assert_eq!(out.stdout, format!("export CLIENT_SECRET='{secret}'\n"));
    let representation = sandbox().client("shasta", &client).unwrap();
    assert_eq!((representation["serviceAccountsEnabled"].as_bool(), representation["publicClient"].as_bool()), (Some(true), Some(false)));
    Run::kubectl(&["create-client", &client, "--service-account"]).run().fails(15, "already exists");
}
