//! Leave nothing behind in Keycloak: every run that logs in with a password
//! ends that session, so a script calling the plugin in a loop piles up no
//! admin sessions. Counted with Keycloak's own admin API for an admin user
//! of the test's own, so other tests running meanwhile cannot disturb it.

use std::io::Read;
use std::time::Duration;

use serde_json::json;

use crate::common::Run;
use crate::gateway::{Answer, FakeGateway};
use crate::sandbox::{apply_secret, enc, sandbox, unique};

/// A master-realm admin user with a password, and a Secret holding both.
pub fn own_admin() -> (String, String) {
    let user = unique("kk-session-admin");
    let password = format!("{user}-Pw-1");
    crate::common::register_secret(&password);
    let representation = json!({
        "username": user, "enabled": true,
        "credentials": [{"type": "password", "value": password, "temporary": false}],
    });
    let (status, body) = sandbox().admin("POST", "/master/users", Some(representation));
    assert_eq!(status, 201, "{body}");
    let (_, users) = sandbox().admin("GET", &format!("/master/users?username={}&exact=true", enc(&user)), None);
    let id = users[0]["id"].as_str().unwrap().to_string();
    sandbox().grant_master_admin(&id);
    apply_secret("services", &user, &[("user", &user), ("password", &password)]);
    (user, id)
}

pub fn sessions_of(user_id: &str) -> usize {
    let (status, sessions) = sandbox().admin("GET", &format!("/master/users/{user_id}/sessions"), None);
    assert_eq!(status, 200, "{sessions}");
    sessions.as_array().unwrap().len()
}

fn expected_secret() -> String {
    format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"))
}

#[test]
fn twenty_runs_of_each_command_leave_no_admin_session() {
    let (user, id) = own_admin();
    assert_eq!(sessions_of(&id), 0);
    for _ in 0..20 {
        Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", &user]).run().success().stdout_is(&expected_secret());
    }
    for _ in 0..20 {
        Run::kubectl(&["clients", "-o", "json", "--admin-secret", &user]).run().success();
        Run::kubectl(&["client-secret", "qq-zz-xx", "--admin-secret", &user]).run().fails_with(
            11,
            "kubectl-keycloak: error: no client with clientId \"qq-zz-xx\" in realm \"shasta\"; \
             list them with: kubectl keycloak clients --search TEXT",
        );
    }
    assert_eq!(sessions_of(&id), 0, "sessions left by client-secret, clients and a failing run");
}

#[test]
fn the_token_command_keeps_its_session_so_the_token_works() {
    let (user, id) = own_admin();
    let out = Run::kubectl(&["token", "-o", "raw", "--admin-secret", &user]).run().success();
    let token = out.stdout.trim_end().to_string();
    crate::common::register_secret(&token);
    assert_eq!(sessions_of(&id), 1);
    let mut response = sandbox()
        .agent()
        .get(format!("{}/admin/realms/shasta/clients?clientId=my-test-client", sandbox().keycloak_url))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.body_mut().read_to_string().unwrap_or_default());
}

#[test]
fn a_service_account_admin_leaves_no_session_either() {
    // client_credentials returns no refresh token: Keycloak 21 and 26 keep
    // no user session for it.
    let (client, id) = sandbox().service_account_admin("kk-session-sa");
    for _ in 0..5 {
        Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", &client])
            .run()
            .success()
            .stdout_is(&expected_secret());
    }
    let (status, count) = sandbox().admin("GET", &format!("/master/clients/{id}/session-count"), None);
    assert_eq!((status, count["count"].as_u64()), (200, Some(0)));
}

#[test]
fn fake_gateway_failing_the_logout_changes_neither_stdout_nor_the_exit_code() {
    // Keycloak gone right after the secret was read: a fake in front of the
    // real Keycloak fails only the logout.
    let gateway = FakeGateway::start(|request, _| {
        if request.path.ends_with("/protocol/openid-connect/logout") {
            Answer::Status(503, "text/plain", "unavailable".into())
        } else {
            Answer::Forward
        }
    });
    let run = || Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url]);
    run().run().success().stdout_is(&expected_secret());
    let traced = run().arg("-v").run();
    assert_eq!((traced.code, traced.stdout.as_str()), (0, expected_secret().as_str()), "{traced:?}");
    assert!(
        traced.traces().iter().any(|(_, message)| *message == "the admin session could not be ended: HTTP 503"),
        "{}",
        traced.raw_stderr
    );
}

#[test]
fn fake_gateway_slow_logout_does_not_hold_back_the_end_of_stdout() {
    // A fake in front of the real Keycloak delays only the logout's answer
    // (still within the plugin's 2 s bound for it): a pipe's reader has the
    // whole output, and its end, while the plugin is still logging out.
    const LOGOUT_DELAY: Duration = Duration::from_millis(1500);
    let gateway = FakeGateway::start(|request, _| {
        if request.path.ends_with("/protocol/openid-connect/logout") {
            std::thread::sleep(LOGOUT_DELAY);
        }
        Answer::Forward
    });
    let mut run = Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url]);
    let (mut child, started) = run.spawn();
    let mut stdout = String::new();
    child.stdout.take().expect("stdout").read_to_string(&mut stdout).expect("read stdout");
    let end_of_stdout = started.elapsed();
    let out = run.finish(child, started);
    assert_eq!((out.code, stdout.as_str()), (0, expected_secret().as_str()), "{out:?}");
    assert!(out.elapsed >= LOGOUT_DELAY, "the logout was not waited for: {out:?}");
    assert!(
        out.elapsed - end_of_stdout >= LOGOUT_DELAY * 2 / 3,
        "stdout ended {end_of_stdout:?} after the start, the process {:?}",
        out.elapsed
    );
    assert!(gateway.requests().iter().any(|r| r.ends_with("/protocol/openid-connect/logout")), "{:?}", gateway.requests());
}
