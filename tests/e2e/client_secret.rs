//! The product: `kubectl keycloak client-secret`, every output format.

use crate::common::Run;
use crate::sandbox::{sandbox, unique};

fn secret(client_id: &str) -> String {
    sandbox().secret_of("shasta", client_id)
}

#[test]
fn prints_the_documented_export_line() {
    let expected = format!("export CLIENT_SECRET='{}'\n", secret("my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client"]).run().success().stdout_is(&expected);
}

#[test]
fn several_clients_share_one_run_and_get_derived_names() {
    let expected = format!(
        "export ADMIN_CLIENT_SECRET='{}'\nexport SYSTEM_COMPUTE_CLIENT_SECRET='{}'\n",
        secret("admin-client"),
        secret("system-compute-client")
    );
    Run::kubectl(&["client-secret", "admin-client", "system-compute-client"]).run().success().stdout_is(&expected);
}

#[test]
fn var_names_the_variable() {
    let expected = format!("export A='{}'\nexport B='{}'\n", secret("admin-client"), secret("my-test-client"));
    Run::kubectl(&["client-secret", "admin-client", "my-test-client", "--var", "A", "--var", "B"])
        .run()
        .success()
        .stdout_is(&expected);
}

#[test]
fn every_output_format() {
    let s = secret("my-test-client");
    let url = &sandbox().keycloak_url;
    let cases = [
        ("shell", format!("export CLIENT_SECRET='{s}'\n")),
        ("fish", format!("set -gx CLIENT_SECRET '{s}'\n")),
        ("powershell", format!("$env:CLIENT_SECRET = '{s}'\n")),
        ("dotenv", format!("CLIENT_SECRET='{s}'\n")),
        ("raw", format!("{s}\n")),
        (
            "json",
            format!(
                "{{\n  \"authenticator\": \"client-secret\",\n  \"clientId\": \"my-test-client\",\n  \"issuer\": \"{url}/realms/shasta\",\n  \"keycloakUrl\": \"{url}\",\n  \
                 \"realm\": \"shasta\",\n  \"secret\": \"{s}\",\n  \
                 \"tokenUrl\": \"{url}/realms/shasta/protocol/openid-connect/token\"\n}}\n"
            ),
        ),
    ];
    for (format, expected) in cases {
        Run::kubectl(&["client-secret", "my-test-client", "-o", format]).run().success().stdout_is(&expected);
    }
}

#[test]
fn flags_may_come_before_the_subcommand_and_settings_from_flags() {
    let s = sandbox();
    let expected = format!("export CLIENT_SECRET='{}'\n", secret("my-test-client"));
    Run::kubectl(&[
        "--context",
        "sandbox",
        "--keycloak-url",
        &s.keycloak_url,
        "--realm",
        "shasta",
        "client-secret",
        "my-test-client",
    ])
    .env_remove("KUBECTL_KEYCLOAK_URL")
    .run()
    .success()
    .stdout_is(&expected);
}

#[test]
fn exec_credential_plugin_context_works() {
    let expected = format!("export CLIENT_SECRET='{}'\n", secret("my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client", "--context", "sandbox-exec"]).run().success().stdout_is(&expected);
}

#[test]
fn impersonation_is_applied() {
    // The admin may impersonate; the restricted user may not read the Secret.
    Run::kubectl(&["client-secret", "my-test-client", "--as", "sandbox-restricted"])
        .run()
        .fails_with(
            5,
            "kubectl-keycloak: error: cannot get Secret services/keycloak-master-admin-auth: forbidden: \
             secrets \"keycloak-master-admin-auth\" is forbidden: User \"sandbox-restricted\" cannot get resource \"secrets\" \
             in API group \"\" in the namespace \"services\"; use a context allowed to read it (--context), or ask for RBAC access",
        );
}

#[test]
fn ca_from_the_cluster_configmap_replaces_the_ca_file() {
    let expected = format!("export CLIENT_SECRET='{}'\n", secret("my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-ca-configmap"])
        .env_remove("KUBECTL_KEYCLOAK_CA_FILE")
        .run()
        .success()
        .stdout_is(&expected);
}

#[test]
fn a_ca_only_in_the_os_certificate_directory_is_trusted() {
    // Keycloak's connection is opened early trusting the OS bundle file
    // alone; a CA that only the certificate directory holds fails that
    // handshake, and the login then trusts the whole OS store.
    let dir = crate::common::scratch_file("os-cert-dir");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(std::env::var("SANDBOX_CA_FILE").unwrap(), dir.join("sandbox-ca.pem")).unwrap();
    let bundle = crate::common::scratch_file("os-bundle-without-the-ca.pem");
    std::fs::write(&bundle, "").unwrap();
    let out = Run::kubectl(&["client-secret", "my-test-client", "-v"])
        .env_remove("KUBECTL_KEYCLOAK_CA_FILE")
        .env("SSL_CERT_FILE", &bundle)
        .env("SSL_CERT_DIR", &dir)
        .run()
        .stdout_is(&format!("export CLIENT_SECRET='{}'\n", secret("my-test-client")));
    assert_eq!(out.code, 0, "{out:?}");
    let steps: Vec<&str> = out
        .traces()
        .into_iter()
        .map(|(_, m)| m)
        .filter(|m| m.starts_with("OS trust store") || m.contains("/realms/master -> "))
        .map(|m| m.rsplit_once(" (").unwrap().0)
        .collect();
    let early = format!("GET {}/realms/master -> failed", sandbox().keycloak_url);
    assert_eq!(steps, ["OS trust store (bundle file): 0 certificates", &early, "OS trust store: 1 certificates"], "{out:?}");
}

#[test]
fn verbose_traces_requests_without_secrets() {
    let s = secret("my-test-client");
    let out = Run::kubectl(&["client-secret", "my-test-client", "-v"]).run().stdout_is(&format!("export CLIENT_SECRET='{s}'\n"));
    assert_eq!(out.code, 0, "{out:?}");
    // run() has checked that no known secret or token is on stderr.
    assert!(
        out.raw_stderr.lines().all(|l| l.starts_with("kubectl-keycloak: trace: ")),
        "not only trace lines: {}",
        out.raw_stderr
    );
    for needle in [
        "GET ",
        "/api/v1/namespaces/services/secrets/keycloak-master-admin-auth -> 200",
        "POST ",
        "/token -> 200",
        "clients?clientId=my-test-client -> 200",
        "/client-secret -> 200",
    ] {
        assert!(out.raw_stderr.contains(needle), "trace lacks {needle:?}: {}", out.raw_stderr);
    }
    // Each line carries its time since the start, so a trace shows where a
    // run's time goes: the kubeconfig, the trust store, each request, the end.
    let traces = out.traces();
    assert_eq!(traces.len(), out.raw_stderr.lines().count(), "{}", out.raw_stderr);
    assert!(traces[0].1.starts_with("kubeconfig read, context sandbox ("), "{}", out.raw_stderr);
    assert!(traces.iter().any(|(_, m)| m.starts_with("OS trust store") && m.contains(" certificates (")), "{}", out.raw_stderr);
    assert_eq!(traces.last().map(|t| t.1), Some("exit 0"), "{}", out.raw_stderr);
    let (first, last) = (traces[0].0, traces[traces.len() - 1].0);
    assert!(0.0 < first && first <= last && last < out.elapsed.as_secs_f64() * 1000.0, "{}", out.raw_stderr);
}

#[test]
fn a_secret_keycloak_does_not_check_is_printed_with_a_note() {
    let client = unique("kk-jwt-client");
    let secret = "stored-but-unused-secret-1";
    crate::common::register_secret(secret);
    let representation = serde_json::json!({
        "clientId": client, "enabled": true, "publicClient": false,
        "clientAuthenticatorType": "client-jwt", "secret": secret,
    });
    let (status, body) = sandbox().admin("POST", "/shasta/clients", Some(representation));
    assert_eq!(status, 201, "{body}");
    let note = format!(
        "kubectl-keycloak: client \"{client}\" authenticates with client-jwt, not with its secret: Keycloak ignores the secret printed"
    );
    Run::kubectl(&["client-secret", &client, "-o", "raw"]).run().success_noting(&note).stdout_is(&format!("{secret}\n"));
    let out = Run::kubectl(&["client-secret", &client, "-o", "json"]).run().success_noting(&note);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["authenticator"], "client-jwt");
    assert_eq!(json["secret"], secret);
}
