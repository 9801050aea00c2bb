//! Every failure class: its exit code, one stderr line naming what failed and
//! what to try, nothing on stdout, and a bounded time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::common::{Run, scratch_file};
use crate::sandbox::{apply_secret, lookalike_realm, sandbox};

const QUICK: Duration = Duration::from_secs(10);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The sandbox kubeconfig with its server and users edited.
fn edited_kubeconfig(edit: impl Fn(&mut serde_json::Value)) -> std::path::PathBuf {
    let json =
        crate::sandbox::kubectl(&["config", "view", "--raw", "--flatten", "--minify", "--context", "sandbox", "-o", "json"], "");
    let mut config: serde_json::Value = serde_json::from_str(&json).unwrap();
    edit(&mut config);
    let file = scratch_file("kubeconfig.json");
    std::fs::write(&file, config.to_string()).unwrap();
    file
}

#[test]
fn admin_secret_not_found() {
    Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", "services/no-such-secret"])
        .run()
        .fails_with(
            6,
            "kubectl-keycloak: error: cannot get Secret services/no-such-secret: not found; \
             check the namespace and name (--admin-secret NAMESPACE/NAME), and the --context",
        )
        .within(QUICK);
}

#[test]
fn forbidden_by_rbac() {
    Run::kubectl(&["client-secret", "my-test-client", "--context", "sandbox-restricted"])
        .run()
        .fails_with(
            5,
            "kubectl-keycloak: error: cannot get Secret services/keycloak-master-admin-auth: forbidden: \
             secrets \"keycloak-master-admin-auth\" is forbidden: User \"sandbox-restricted\" cannot get resource \"secrets\" \
             in API group \"\" in the namespace \"services\"; use a context allowed to read it (--context), or ask for RBAC access",
        )
        .within(QUICK);
}

#[test]
fn secret_missing_a_key() {
    apply_secret("services", "kk-test-no-password", &[("user", "admin"), ("client-id", "admin-cli")]);
    Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", "kk-test-no-password"]).run().fails_with(
        6,
        "kubectl-keycloak: error: Secret services/kk-test-no-password has no (or an empty) \"password\" key; \
             it needs keys user (or username) and password (or admin-password), or client-id and client-secret; \
             name other keys with --admin-user-key and --admin-password-key, a literal user with --admin-user",
    );
}

#[test]
fn wrong_admin_password() {
    apply_secret("services", "kk-test-wrong-password", &[("user", "admin"), ("password", "not-the-password")]);
    Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", "services/kk-test-wrong-password"]).run().fails_with(
        9,
        "kubectl-keycloak: error: Keycloak refused to log in user \"admin\" in realm \"master\": invalid_grant: Invalid user credentials; \
         check the credentials in the admin Secret (and --admin-realm); a locked-out user (brute-force protection) gets the same answer",
    );
}

#[test]
fn keycloak_connection_refused() {
    let host = format!("127.0.0.1:{}", free_port());
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &format!("https://{host}/keycloak")])
        .run()
        .fails_with_cause(
            7,
            &format!("kubectl-keycloak: error: cannot connect to Keycloak at {host}: "),
            "Connection refused",
            "; check --keycloak-url and that Keycloak is running",
        )
        .within(QUICK);
}

#[test]
fn fake_blackhole_server_times_out_within_request_timeout() {
    // A real Keycloak cannot be made to accept and then never answer.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let _hold = std::thread::spawn(move || {
        let held: Vec<TcpStream> = listener.incoming().take(4).filter_map(Result::ok).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    Run::kubectl(&[
        "client-secret",
        "my-test-client",
        "--keycloak-url",
        &format!("https://{host}/keycloak"),
        "--request-timeout",
        "1s",
    ])
    .run()
    .fails_with(
        7,
        &format!(
            "kubectl-keycloak: error: Keycloak at {host} did not answer after 1s \
                 (https://{host}/keycloak/realms/master/protocol/openid-connect/token); \
                 check that Keycloak is up; raise --request-timeout if it is just slow"
        ),
    )
    .within(Duration::from_secs(6));
}

/// The plugin's hint after every failed TLS verification of Keycloak.
const TLS_HINT: &str = "; trust its CA with --keycloak-ca-file or --keycloak-ca-configmap, or check the URL's host name";

/// `127.0.0.1:PORT` of the sandbox's Keycloak.
fn keycloak_host() -> String {
    sandbox().keycloak_url.trim_start_matches("https://").split('/').next().unwrap().to_string()
}

#[test]
fn untrusted_ca_is_a_tls_failure() {
    Run::kubectl(&["client-secret", "my-test-client"]).env_remove("KUBECTL_KEYCLOAK_CA_FILE").run().fails_with_cause(
        8,
        &format!("kubectl-keycloak: error: TLS verification of Keycloak at {} failed: ", keycloak_host()),
        "unknown issuer",
        TLS_HINT,
    );
}

#[test]
fn insecure_flag_works_and_warns() {
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client", "--insecure-skip-keycloak-tls-verify"])
        .env_remove("KUBECTL_KEYCLOAK_CA_FILE")
        .run()
        .success_noting(
            "kubectl-keycloak: warning: TLS verification for Keycloak is OFF (--insecure-skip-keycloak-tls-verify); \
             the admin password can be intercepted",
        )
        .stdout_is(&expected);
}

/// Relays 127.0.0.2:PORT to Keycloak byte for byte, so the real server's
/// certificate (valid for 127.0.0.1 and localhost) meets another host name.
fn loopback_relay(target: &str) -> String {
    let listener = TcpListener::bind("127.0.0.2:0").expect("127.0.0.2 is loopback");
    let address = listener.local_addr().unwrap();
    let target = target.to_string();
    std::thread::spawn(move || {
        for inbound in listener.incoming().take(8).flatten() {
            let Ok(outbound) = TcpStream::connect(&target) else {
                continue;
            };
            for (mut from, mut to) in [(inbound.try_clone().unwrap(), outbound.try_clone().unwrap()), (outbound, inbound)] {
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 16384];
                    while let Ok(n) = from.read(&mut buffer) {
                        if n == 0 || to.write_all(&buffer[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    address.to_string()
}

#[test]
fn certificate_for_another_host_name_is_a_tls_failure() {
    let relay = loopback_relay(&keycloak_host());
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &format!("https://{relay}/keycloak")])
        .run()
        .fails_with_cause(
            8,
            &format!("kubectl-keycloak: error: TLS verification of Keycloak at {relay} failed: "),
            // The name asked for, which the certificate does not hold.
            "127.0.0.2",
            TLS_HINT,
        )
        .within(QUICK);
}

#[test]
fn realm_not_found() {
    Run::kubectl(&["client-secret", "my-test-client", "--realm", "no-such-realm"])
        .run()
        .fails_with(
            10,
            &format!(
                "kubectl-keycloak: error: realm \"no-such-realm\" not found in Keycloak at {}; pass the right --realm (CSM uses shasta)",
                sandbox().keycloak_url
            ),
        );
}

#[test]
fn client_not_found_suggests_only_close_ones_best_first() {
    // Ranked by edit distance: the realm's other "-client"s are not close.
    let realm = lookalike_realm();
    Run::kubectl(&["client-secret", "my-tset-client", "--realm", realm]).run().fails_with(
        11,
        &format!(
            "kubectl-keycloak: error: no client with clientId \"my-tset-client\" in realm \"{realm}\"; \
             did you mean \"my-test-client\"?"
        ),
    );
    // shasta holds the scale clients too, all ending in "-client…".
    Run::kubectl(&["client-secret", "my-tset-client"]).run().fails_with(
        11,
        "kubectl-keycloak: error: no client with clientId \"my-tset-client\" in realm \"shasta\"; did you mean \"my-test-client\"?",
    );
    Run::kubectl(&["client-secret", "payroll-service"]).run().fails_with(
        11,
        "kubectl-keycloak: error: no client with clientId \"payroll-service\" in realm \"shasta\"; \
         list them with: kubectl keycloak clients --search TEXT",
    );
}

#[test]
fn one_missing_client_among_several_prints_nothing() {
    Run::kubectl(&["client-secret", "my-test-client", "kk-absent-qxz"]).run().fails_with(
        11,
        "kubectl-keycloak: error: no client with clientId \"kk-absent-qxz\" in realm \"shasta\"; \
         list them with: kubectl keycloak clients --search TEXT",
    );
}

#[test]
fn public_client_has_no_secret_never_null() {
    Run::kubectl(&["client-secret", "shasta"]).run().fails_with(
        12,
        "kubectl-keycloak: error: client \"shasta\" in realm \"shasta\" has no secret: it is a public client; \
         only confidential clients have secrets",
    );
}

#[test]
fn wrong_base_url_answering_html_or_not_found() {
    // Keycloak itself, asked without its /keycloak prefix.
    let url = sandbox().keycloak_url.trim_end_matches("/keycloak").to_string();
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &url]).run().fails_with(
        13,
        &format!(
            "kubectl-keycloak: error: no Keycloak token endpoint at {url}/realms/master/protocol/openid-connect/token (HTTP 404); \
             check --keycloak-url; CSM serves Keycloak under /keycloak"
        ),
    );
}

#[test]
fn api_server_stopped() {
    let server = format!("https://127.0.0.1:{}", free_port());
    let kubeconfig = edited_kubeconfig(|c| c["clusters"][0]["cluster"]["server"] = server.clone().into());
    Run::kubectl(&["client-secret", "my-test-client"])
        .env("KUBECONFIG", &kubeconfig)
        .run()
        .fails_with_cause(
            4,
            &format!("kubectl-keycloak: error: cannot get Secret services/keycloak-master-admin-auth: API server {server}/ unreachable: "),
            "Connection refused",
            "; check the --context and that the cluster is up (kubectl cluster-info)",
        )
        .within(QUICK);
}

#[test]
fn invalid_kube_token() {
    Run::kubectl(&["client-secret", "my-test-client", "--context", "sandbox-badtoken"]).run().fails_with(
        4,
        &format!(
            "kubectl-keycloak: error: cannot get Secret services/keycloak-master-admin-auth: \
             the API server at {}/ rejected our credentials (401 Unauthorized); refresh the kubeconfig credentials or token",
            sandbox().apiserver_url
        ),
    );
}

#[test]
fn failing_exec_credential_plugin_names_the_command_not_its_environment() {
    let cloud_secret = "cloud-secret-access-key-0123456789";
    crate::common::register_secret(cloud_secret);
    let kubeconfig = edited_kubeconfig(|c| {
        c["users"][0]["user"] = serde_json::json!({
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1", "command": "sh", "args": ["-c", "exit 3"],
                "env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": cloud_secret}], "interactiveMode": "Never"
            }
        });
    });
    Run::kubectl(&["client-secret", "my-test-client"])
        .env("KUBECONFIG", &kubeconfig)
        .run()
        .fails_with(
            3,
            "kubectl-keycloak: error: exec credential plugin \"sh\" failed (exit status: 3); \
             check the user's exec section in the kubeconfig (kubectl config view)",
        )
        .within(QUICK);
}

#[test]
fn a_missing_admin_secret_is_reported_even_when_keycloak_is_unreachable_too() {
    // Keycloak's connection is opened while the Secret is read; its failure
    // must not hide the Secret's, which comes first.
    Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", "services/kk-no-such-admin", "--keycloak-url"])
        .arg(format!("https://127.0.0.1:{}/keycloak", free_port()))
        .run()
        .fails_with(
            6,
            "kubectl-keycloak: error: cannot get Secret services/kk-no-such-admin: not found; \
             check the namespace and name (--admin-secret NAMESPACE/NAME), and the --context",
        );
}
