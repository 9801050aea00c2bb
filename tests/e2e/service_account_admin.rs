//! An admin Secret holding client-id and client-secret: the plugin logs in
//! with the client_credentials grant as that service account.

use crate::common::Run;
use crate::sandbox::sandbox;

#[test]
fn a_service_account_client_can_be_the_admin() {
    // A master-realm client whose service account holds the admin role.
    let (client, _) = sandbox().service_account_admin("kk-admin-sa");
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", &client]).run().success().stdout_is(&expected);
}
