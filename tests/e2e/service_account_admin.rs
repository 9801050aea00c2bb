//! An admin Secret holding client-id and client-secret: the plugin logs in
//! with the client_credentials grant as that service account.

use serde_json::json;

use crate::common::Run;
use crate::sandbox::{apply_secret, sandbox, unique};

#[test]
fn a_service_account_client_can_be_the_admin() {
    // A master-realm client whose service account holds the admin role.
    let client = unique("kk-admin-sa");
    sandbox().ensure_client("master", &client, &format!("{client}-secret-value"));
    let id = sandbox().client("master", &client).unwrap()["id"].as_str().unwrap().to_string();
    let (_, user) = sandbox().admin("GET", &format!("/master/clients/{id}/service-account-user"), None);
    let (_, role) = sandbox().admin("GET", "/master/roles/admin", None);
    let user_id = user["id"].as_str().unwrap();
    let (status, body) = sandbox().admin("POST", &format!("/master/users/{user_id}/role-mappings/realm"), Some(json!([role])));
    assert_eq!(status, 204, "{body}");
    apply_secret("services", &client, &[("client-id", &client), ("client-secret", &format!("{client}-secret-value"))]);
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", &client]).run().success().stdout_is(&expected);
}
