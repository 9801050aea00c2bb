//! `-o secret`: a v1 Secret manifest that `kubectl apply` takes as it is;
//! nothing written to the cluster by the plugin itself.

use serde_json::{Value, json};

use crate::common::Run;
use crate::sandbox::{kubectl, sandbox, secret_data, unique};

/// The manifest with its `written-at` annotation (the time of the run) made
/// fixed, after checking its shape.
fn without_time(manifest: &str) -> String {
    manifest
        .lines()
        .map(|line| match line.strip_prefix("    \"kubectl-keycloak/written-at\": \"") {
            Some(time) => {
                assert!(time.starts_with("20") && time.ends_with("Z\"") && time.len() == 21, "{line}");
                "    \"kubectl-keycloak/written-at\": TIME\n".to_string()
            }
            None => format!("{line}\n"),
        })
        .collect()
}

fn exists(namespace: &str, name: &str) -> bool {
    let listed = kubectl(&["get", "secret", "-n", namespace, "-o", "name"], "");
    listed.lines().any(|line| line == format!("secret/{name}"))
}

#[test]
fn manifest_is_a_complete_secret_that_kubectl_applies() {
    let name = unique("kk-manifest");
    let secret = sandbox().secret_of("shasta", "my-test-client");
    let url = &sandbox().keycloak_url;
    let out = Run::kubectl(&[
        "client-secret",
        "my-test-client",
        "-o",
        "secret",
        "--secret-name",
        &format!("default/{name}"),
        "--keys",
        "client-id,client-secret,issuer",
    ])
    .run()
    .success();
    assert_eq!(
        without_time(&out.stdout),
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"{name}\"\n  namespace: \"default\"\n  labels:\n    \
             \"app.kubernetes.io/managed-by\": \"kubectl-keycloak\"\n  annotations:\n    \
             \"kubectl-keycloak/client-id\": \"my-test-client\"\n    \
             \"kubectl-keycloak/keycloak-url\": \"{url}\"\n    \
             \"kubectl-keycloak/realm\": \"shasta\"\n    \
             \"kubectl-keycloak/written-at\": TIME\n\
             type: Opaque\nstringData:\n  \"client-id\": \"my-test-client\"\n  \"client-secret\": \"{secret}\"\n  \
             \"issuer\": \"{url}/realms/shasta\"\n"
        )
    );
    assert!(!exists("default", &name), "-o secret wrote to the cluster");
    let dry = kubectl(&["apply", "--dry-run=server", "-f", "-"], &out.stdout);
    assert_eq!(dry.trim(), format!("secret/{name} created (server dry run)"));
    assert!(!exists("default", &name));
    kubectl(&["apply", "-f", "-"], &out.stdout);
    assert_eq!(
        secret_data("default", &name),
        json!({"client-id": "my-test-client", "client-secret": secret, "issuer": format!("{url}/realms/shasta")})
    );
    let applied: Value = serde_json::from_str(&kubectl(&["get", "secret", "-n", "default", &name, "-o", "json"], "")).unwrap();
    assert_eq!(applied["type"], "Opaque");
    assert_eq!(applied["metadata"]["labels"], json!({"app.kubernetes.io/managed-by": "kubectl-keycloak"}));
    assert_eq!(applied["metadata"]["annotations"]["kubectl-keycloak/client-id"], "my-test-client");
}

#[test]
fn several_clients_make_a_multi_document_stream() {
    let prefix = unique("kk-manifests");
    let out = Run::kubectl(&[
        "client-secret",
        "my-test-client",
        "admin-client",
        "-o",
        "secret",
        "--secret-name",
        &format!("default/{prefix}-{{clientId}}"),
    ])
    .run()
    .success();
    assert_eq!(out.stdout.matches("\n---\n").count(), 1, "{}", out.stdout);
    assert_eq!(out.stdout.matches("apiVersion: v1\n").count(), 2);
    kubectl(&["apply", "-f", "-"], &out.stdout);
    for client in ["my-test-client", "admin-client"] {
        assert_eq!(
            secret_data("default", &format!("{prefix}-{client}")),
            json!({"client-secret": sandbox().secret_of("shasta", client)})
        );
    }
}

#[test]
fn hostile_values_survive_the_manifest() {
    // YAML 1.1 reads yes as true, # as a comment, --- as a new document.
    for (n, secret) in ["yes", "0x1F", "a\"b\\c'd: #e\n--- f", "~", "\u{85}\u{2028}\u{feff}é\t\u{7f}"].into_iter().enumerate() {
        let client = unique(&format!("kk-manifest-hostile{n}"));
        sandbox().ensure_client("shasta", &client, secret);
        let name = format!("{client}-auth");
        let out = Run::kubectl(&["client-secret", &client, "-o", "secret", "--secret-name", &format!("default/{name}")])
            .run()
            .success();
        kubectl(&["apply", "--dry-run=server", "-f", "-"], &out.stdout);
        kubectl(&["apply", "-f", "-"], &out.stdout);
        assert_eq!(secret_data("default", &name), json!({"client-secret": secret}), "{secret:?}");
    }
}

#[test]
fn names_that_are_not_dns_subdomains_are_refused() {
    let rule = "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit \
                (a DNS-1123 subdomain, at most 253 characters)";
    Run::kubectl(&["client-secret", "My Client", "-o", "secret"]).run().fails_with(
        2,
        &format!(
            "kubectl-keycloak: error: \"My Client-auth\" cannot name a Secret (the default name {{clientId}}-auth \
             for clientId \"My Client\"): {rule}; name it with --secret-name"
        ),
    );
    Run::kubectl(&["client-secret", "../x", "-o", "secret", "--secret-name", "default/{clientId}"]).run().fails_with(
        2,
        &format!("kubectl-keycloak: error: \"../x\" cannot name a Secret (--secret-name for clientId \"../x\"): {rule}"),
    );
    Run::kubectl(&["client-secret", "a", "b", "-o", "secret", "--secret-name", "default/same"]).run().fails_with(
        2,
        "kubectl-keycloak: error: several clients would be written to Secret default/same; put {clientId} in --secret-name",
    );
    Run::kubectl(&["client-secret", "a", "-o", "secret", "--to-secret", "default/x"])
        .run()
        .fails_with(2, "kubectl-keycloak: error: -o secret prints the Secret and --to-secret writes it: give one of them");
    Run::kubectl(&["client-secret", "a", "--secret-name", "x"]).run().fails_with(
        2,
        "kubectl-keycloak: error: --secret-name names the Secret of -o secret (--to-secret takes the name itself)",
    );
    Run::kubectl(&["token", "-o", "secret"])
        .run()
        .fails_with(2, "kubectl-keycloak: error: -o secret writes a client's secret into a Secret manifest, not a token");
}
