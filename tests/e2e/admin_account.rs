//! `admin-account`: the plugin's own service-account admin. Each test makes
//! an account of its own (its own clientId and Secret, named with
//! `--admin-secret`), never the default `services/kubectl-keycloak-admin`:
//! that Secret would make every other test running meanwhile log in as it.
//! The one test of that default runs alone (`common::alone`).

use crate::common::Run;
use crate::sandbox::{kubectl, lookalike_realm, sandbox, secret_data, unique};

/// An account of the test's own; deleted (client and Secret) when dropped.
struct Account {
    client: String,
}

impl Account {
    fn create(extra: &[&str]) -> Self {
        let client = unique("kk-acct");
        let account = Account { client };
        let mut args = vec!["admin-account", "create", "--client-id", &account.client, "--secret", &account.client];
        args.extend_from_slice(extra);
        let roles = if extra.contains(&"--manage") {
            "view-clients, query-clients, manage-clients"
        } else {
            "view-clients, query-clients"
        };
        Run::kubectl(&args)
            .run()
            .success_noting(&format!(
                "kubectl-keycloak: created admin account {:?} in realm \"master\" with {roles} for realm(s) shasta; \
                 stored in Secret services/{}",
                account.client, account.client
            ))
            .stdout_is("");
        crate::common::register_secret(secret_data("services", &account.client)["client-secret"].as_str().unwrap());
        account
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::kubectl(args).arg("--admin-secret").arg(&self.client)
    }

    fn stored_secret(&self) -> String {
        secret_data("services", &self.client)["client-secret"].as_str().unwrap().to_string()
    }

    /// Keycloak's answer to a client_credentials login with this secret.
    fn login_status(&self, secret: &str) -> u16 {
        let url = format!("{}/realms/master/protocol/openid-connect/token", sandbox().keycloak_url);
        let form = [("grant_type", "client_credentials"), ("client_id", self.client.as_str()), ("client_secret", secret)];
        sandbox().agent().post(&url).config().http_status_as_error(false).build().send_form(form).unwrap().status().as_u16()
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = Run::kubectl(&["admin-account", "delete", "--secret", &self.client]).run();
    }
}

#[test]
fn the_account_is_the_admin_it_is_named_as_and_leaves_no_session() {
    let account = Account::create(&[]);
    let data = secret_data("services", &account.client);
    assert_eq!((data["client-id"].as_str(), data["realm"].as_str()), (Some(account.client.as_str()), Some("master")));
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    let out = account.run(&["client-secret", "my-test-client", "-v"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, expected.as_str()), "{out:?}");
    let admin = format!("admin from Secret services/{} (flag)", account.client);
    assert!(out.traces().iter().any(|(_, message)| *message == admin), "{}", out.raw_stderr);
    let id = sandbox().client("master", &account.client).unwrap()["id"].as_str().unwrap().to_string();
    let (status, count) = sandbox().admin("GET", &format!("/master/clients/{id}/session-count"), None);
    assert_eq!((status, count["count"].as_u64()), (200, Some(0)));
    // show names the roles and never the secret.
    let shown = Run::kubectl(&["admin-account", "show", "--secret", &account.client]).run().success();
    let roles: Vec<Vec<&str>> =
        shown.stdout.lines().filter(|line| line.starts_with("roles ")).map(|line| line.split_whitespace().collect()).collect();
    assert_eq!(roles, [["roles", "query-clients,view-clients", "shasta-realm"]], "{}", shown.stdout);
    assert!(!shown.stdout.contains(&account.stored_secret()));
}

#[test]
fn a_second_create_is_refused_and_changes_nothing() {
    let account = Account::create(&[]);
    let before = account.stored_secret();
    Run::kubectl(&["admin-account", "create", "--client-id", &account.client, "--secret", &account.client]).run().fails_with(
        15,
        &format!(
            "kubectl-keycloak: error: admin account {:?} already exists in realm \"master\": refused, nothing changed; \
             see it with: kubectl keycloak admin-account show; new secret: admin-account rotate; start over: admin-account delete",
            account.client
        ),
    );
    assert_eq!(account.stored_secret(), before);
    assert_eq!(account.login_status(&before), 200);
}

#[test]
fn regenerate_needs_manage() {
    let target = unique("kk-acct-target");
    sandbox().ensure_client("shasta", &target, &format!("{target}-old-secret"));
    let read_only = Account::create(&[]);
    read_only.run(&["client-secret", &target, "--regenerate", "--yes"]).run().fails_with(
        9,
        "kubectl-keycloak: error: the admin lacks role manage-clients in realm \"shasta\" (HTTP 403); \
         for the plugin's own account: kubectl keycloak admin-account delete, then admin-account create --for-realm shasta --manage \
         (with its other realms); other admins need that role of the realm's management client",
    );
    assert_eq!(sandbox().secret_of("shasta", &target), format!("{target}-old-secret"));
    let manager = Account::create(&["--manage"]);
    let out = manager.run(&["client-secret", &target, "--regenerate", "--yes", "-o", "raw"]).run().success();
    crate::common::register_secret(out.stdout.trim_end());
    assert_eq!(out.stdout.trim_end(), sandbox().secret_of("shasta", &target));
}

#[test]
fn rotate_makes_keycloak_refuse_the_old_secret() {
    let account = Account::create(&[]);
    let old = account.stored_secret();
    Run::kubectl(&["admin-account", "rotate", "--secret", &account.client])
        .run()
        .success_noting(&format!(
            "kubectl-keycloak: rotated the secret of admin account {:?} (realm \"master\"); Secret services/{} updated, \
             the old secret no longer works",
            account.client, account.client
        ))
        .stdout_is("");
    let new = account.stored_secret();
    crate::common::register_secret(&new);
    assert_ne!(new, old);
    assert_eq!((account.login_status(&old), account.login_status(&new)), (401, 200));
    account.run(&["client-secret", "my-test-client"]).run().success();
}

#[test]
fn delete_removes_client_and_secret() {
    let account = Account::create(&[]);
    Run::kubectl(&["admin-account", "delete", "--secret", &account.client])
        .run()
        .success_noting(&format!(
            "kubectl-keycloak: deleted client {:?} in realm \"master\"; deleted Secret services/{}",
            account.client, account.client
        ))
        .stdout_is("");
    assert!(sandbox().client("master", &account.client).is_none());
    let listed = kubectl(&["get", "secret", "-n", "services", "--ignore-not-found", &account.client], "");
    assert_eq!(listed, "");
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client"]).run().success().stdout_is(&expected);
}

#[test]
fn the_account_cannot_read_a_realm_it_was_not_given() {
    let realm = lookalike_realm();
    let account = Account::create(&[]);
    account.run(&["client-secret", "my-test-client", "--realm", realm]).run().fails_with(
        9,
        &format!(
            "kubectl-keycloak: error: the admin lacks role view-clients in realm {realm:?} (HTTP 403); \
             for the plugin's own account: kubectl keycloak admin-account delete, then admin-account create --for-realm {realm} \
             (with its other realms); other admins need that role of the realm's management client"
        ),
    );
}

/// Deletes the default account (client and Secret) when dropped, so a
/// failing assertion leaves the sandbox as every other test expects it.
struct DefaultAccount;

impl Drop for DefaultAccount {
    fn drop(&mut self) {
        let _ = Run::kubectl(&["admin-account", "delete"]).run();
    }
}

fn admin_traced(args: &[&str]) -> String {
    let out = Run::kubectl(args).arg("-v").run();
    assert_eq!(out.code, 0, "{out:?}");
    let traced: Vec<&str> = out.traces().into_iter().filter_map(|(_, message)| message.strip_prefix("admin from ")).collect();
    assert_eq!(traced.len(), 1, "{}", out.raw_stderr);
    traced[0].to_string()
}

/// The one test that makes the default Secret services/kubectl-keycloak-admin.
/// It runs alone: every other test's runs would log in as the account meanwhile.
#[test]
fn the_default_account_secret_is_the_admin_until_it_is_deleted() {
    let _alone = crate::common::alone();
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    let csm_admin = "Secret services/keycloak-master-admin-auth (default)";
    assert_eq!(admin_traced(&["client-secret", "my-test-client"]), csm_admin);
    for (home, extra) in [("master", &[][..]), ("shasta", &["--in-realm"][..])] {
        let client = unique("kk-acct-default");
        let cleanup = DefaultAccount;
        let mut args = vec!["admin-account", "create", "--client-id", &client];
        args.extend_from_slice(extra);
        Run::kubectl(&args)
            .run()
            .success_noting(&format!(
                "kubectl-keycloak: created admin account {client:?} in realm {home:?} with view-clients, query-clients \
                 for realm(s) shasta; stored in Secret services/kubectl-keycloak-admin"
            ))
            .stdout_is("");
        let stored = secret_data("services", "kubectl-keycloak-admin");
        crate::common::register_secret(stored["client-secret"].as_str().unwrap());
        assert_eq!(stored["realm"].as_str(), Some(home));

        // No admin named: the account is the admin, in the realm its Secret names.
        let out = Run::kubectl(&["client-secret", "my-test-client", "-v"]).run();
        assert_eq!((out.code, out.stdout.as_str()), (0, expected.as_str()), "{out:?}");
        let admin = "admin from Secret services/kubectl-keycloak-admin \
                     (discovered: Secret services/kubectl-keycloak-admin exists (admin-account create), no admin named)";
        assert!(out.traces().iter().any(|(_, message)| *message == admin), "{}", out.raw_stderr);
        let id = sandbox().client(home, &client).unwrap()["id"].as_str().unwrap().to_string();
        let (status, count) = sandbox().admin("GET", &format!("/{home}/clients/{id}/session-count"), None);
        assert_eq!((status, count["count"].as_u64()), (200, Some(0)), "sessions the account left");
        let config = Run::kubectl(&["config"]).run().success();
        let row: Vec<&str> = config.stdout.lines().find(|line| line.starts_with("admin ")).unwrap().split_whitespace().collect();
        assert_eq!(row[..3], ["admin", "Secret", "services/kubectl-keycloak-admin"], "{}", config.stdout);
        let realm = config.stdout.lines().find(|line| line.starts_with("admin-realm ")).unwrap();
        let realm: Vec<&str> = realm.split_whitespace().collect();
        assert_eq!(
            realm,
            ["admin-realm", home, "discovered:", "key", "realm", "of", "Secret", "services/kubectl-keycloak-admin"],
            "{}",
            config.stdout
        );

        // A named admin still comes first.
        let named = admin_traced(&["client-secret", "my-test-client", "--admin-secret", "keycloak-master-admin-auth"]);
        assert_eq!(named, "Secret services/keycloak-master-admin-auth (flag)");

        Run::kubectl(&["admin-account", "delete"])
            .run()
            .success_noting(&format!(
                "kubectl-keycloak: deleted client {client:?} in realm {home:?}; deleted Secret services/kubectl-keycloak-admin"
            ))
            .stdout_is("");
        std::mem::forget(cleanup);
        assert!(sandbox().client(home, &client).is_none());
        assert_eq!(kubectl(&["get", "secret", "-n", "services", "--ignore-not-found", "kubectl-keycloak-admin"], ""), "");
        assert_eq!(admin_traced(&["client-secret", "my-test-client"]), csm_admin);
    }
}
