//! Every failure class: its exit code, one stderr line naming what failed and
//! what to try, nothing on stdout, and a bounded time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::common::{Run, scratch_file};
use crate::sandbox::{apply_secret, sandbox};

const QUICK: Duration = Duration::from_secs(10);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The sandbox kubeconfig with its server and users edited.
fn edited_kubeconfig(edit: impl Fn(&mut serde_json::Value)) -> std::path::PathBuf {
    let json = crate::sandbox::kubectl(&["config", "view", "--raw", "--flatten", "--minify", "--context", "sandbox", "-o", "json"], "");
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
        .fails(6, "services/no-such-secret: not found")
        .within(QUICK);
}

#[test]
fn forbidden_by_rbac() {
    Run::kubectl(&["client-secret", "my-test-client", "--context", "sandbox-restricted"])
        .run()
        .fails(5, "forbidden")
        .within(QUICK);
}

#[test]
fn secret_missing_a_key() {
    apply_secret("services", "kk-test-no-password", &[("user", "admin"), ("client-id", "admin-cli")]);
    Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", "kk-test-no-password"])
        .run()
        .fails(6, "no (or an empty) \"password\" key");
}

#[test]
fn wrong_admin_password() {
    apply_secret("services", "kk-test-wrong-password", &[("user", "admin"), ("password", "not-the-password")]);
    let out = Run::kubectl(&["client-secret", "my-test-client", "--admin-secret", "services/kk-test-wrong-password"])
        .run()
        .fails(9, "invalid_grant");
    assert!(!out.stderr.contains("not-the-password"));
}

#[test]
fn keycloak_connection_refused() {
    let url = format!("https://127.0.0.1:{}/keycloak", free_port());
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &url])
        .run()
        .fails(7, "cannot connect to Keycloak at 127.0.0.1")
        .within(QUICK);
}

#[test]
fn fake_blackhole_server_times_out_within_request_timeout() {
    // A real Keycloak cannot be made to accept and then never answer.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/keycloak", listener.local_addr().unwrap());
    let _hold = std::thread::spawn(move || {
        let held: Vec<TcpStream> = listener.incoming().take(4).filter_map(Result::ok).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &url, "--request-timeout", "1s"])
        .run()
        .fails(7, "did not answer after 1s")
        .within(Duration::from_secs(6));
}

#[test]
fn untrusted_ca_is_a_tls_failure() {
    Run::kubectl(&["client-secret", "my-test-client"])
        .env_remove("KUBECTL_KEYCLOAK_CA_FILE")
        .run()
        .fails(8, "TLS verification of Keycloak")
        .stderr_contains("--keycloak-ca-file");
}

#[test]
fn insecure_flag_works_and_warns() {
    let out = Run::kubectl(&["client-secret", "my-test-client", "--insecure-skip-keycloak-tls-verify"])
        .env_remove("KUBECTL_KEYCLOAK_CA_FILE")
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("warning: TLS verification for Keycloak is OFF"), "{out:?}");
    assert!(out.stdout.starts_with("export CLIENT_SECRET='"));
}

/// Relays 127.0.0.2:PORT to Keycloak byte for byte, so the real server's
/// certificate (valid for 127.0.0.1 and localhost) meets another host name.
fn loopback_relay(target: &str) -> String {
    let listener = TcpListener::bind("127.0.0.2:0").expect("127.0.0.2 is loopback");
    let address = listener.local_addr().unwrap();
    let target = target.to_string();
    std::thread::spawn(move || {
        for inbound in listener.incoming().take(8).flatten() {
            let Ok(outbound) = TcpStream::connect(&target) else { continue };
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
    let target = sandbox().keycloak_url.trim_start_matches("https://").split('/').next().unwrap().to_string();
    let relay = loopback_relay(&target);
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &format!("https://{relay}/keycloak")])
        .run()
        .fails(8, "TLS verification of Keycloak at 127.0.0.2")
        .within(QUICK);
}

#[test]
fn realm_not_found() {
    Run::kubectl(&["client-secret", "my-test-client", "--realm", "no-such-realm"])
        .run()
        .fails(10, "realm \"no-such-realm\" not found");
}

#[test]
fn client_not_found_suggests_similar_ones() {
    Run::kubectl(&["client-secret", "my-tset-client"])
        .run()
        .fails(11, "no client with clientId \"my-tset-client\"")
        .stderr_contains("did you mean")
        .stderr_contains("\"my-test-client\"");
}

#[test]
fn one_missing_client_among_several_prints_nothing() {
    Run::kubectl(&["client-secret", "my-test-client", "no-such-client-anywhere"]).run().fails(11, "no-such-client-anywhere");
}

#[test]
fn public_client_has_no_secret_never_null() {
    Run::kubectl(&["client-secret", "shasta"]).run().fails(12, "has no secret: it is a public client");
}

#[test]
fn wrong_base_url_answering_html_or_not_found() {
    // Keycloak itself, asked without its /keycloak prefix.
    let url = sandbox().keycloak_url.trim_end_matches("/keycloak").to_string();
    let out = Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &url]).run().fails(13, &url);
    assert!(out.stderr.contains("--keycloak-url"), "{out:?}");
}

#[test]
fn api_server_stopped() {
    let port = free_port();
    let kubeconfig = edited_kubeconfig(|c| c["clusters"][0]["cluster"]["server"] = format!("https://127.0.0.1:{port}").into());
    Run::kubectl(&["client-secret", "my-test-client"])
        .env("KUBECONFIG", &kubeconfig)
        .run()
        .fails(4, "unreachable")
        .within(QUICK);
}

#[test]
fn invalid_kube_token() {
    Run::kubectl(&["client-secret", "my-test-client", "--context", "sandbox-badtoken"]).run().fails(4, "401 Unauthorized");
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
        .fails(3, "exec credential plugin \"sh\" failed (exit status: 3)")
        .within(QUICK);
}
