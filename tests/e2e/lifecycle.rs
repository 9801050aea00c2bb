//! Secret lifecycle and admin helpers: regenerate, --to-secret, rotated
//! secrets, token, clients, create-client, service-account admins, config.

use serde_json::{Value, json};

use crate::common::{Run, register_secret, scratch_file};
use crate::sandbox::{apply_secret, enc, kubectl, sandbox};

/// A name unique to this Keycloak version (both sandboxes may share nothing,
/// but reruns against one sandbox must not collide with earlier runs).
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}", nanos % 1_000_000_000_000)
}

fn secret_data(namespace: &str, name: &str) -> Value {
    let out = kubectl(&["get", "secret", "-n", namespace, name, "-o", "json"], "");
    let secret: Value = serde_json::from_str(&out).unwrap();
    use base64::Engine;
    let decode = |v: &Value| String::from_utf8(base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap()).unwrap();
    let data = secret["data"].as_object().cloned().unwrap_or_default();
    Value::Object(data.iter().map(|(k, v)| (k.clone(), json!(decode(v)))).collect())
}

#[test]
fn regenerate_with_yes_replaces_the_secret_and_prints_the_new_one() {
    let client = unique("kk-regen");
    sandbox().ensure_client("shasta", &client, "old-secret-value-1");
    let out = Run::kubectl(&["client-secret", &client, "--regenerate", "--yes", "-o", "raw"]).run().success();
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, "old-secret-value-1");
    assert_eq!(out.stdout, format!("{new}\n"));
}

#[test]
fn regenerate_needs_yes_without_a_terminal_and_changes_nothing() {
    let client = unique("kk-regen-refused");
    sandbox().ensure_client("shasta", &client, "kept-secret-value-2");
    Run::kubectl(&["client-secret", &client, "--regenerate"]).run().fails(2, "without --yes");
    assert_eq!(sandbox().secret_of("shasta", &client), "kept-secret-value-2");
}

/// Runs the plugin on a pseudo-terminal (util-linux `script`), typing `answer`.
fn on_terminal(command: &str, answer: &str) -> crate::common::Outcome {
    Run::program("script", &["-qefc", command, "/dev/null"]).stdin(answer.as_bytes()).run()
}

#[test]
fn regenerate_asks_on_a_terminal() {
    let client = unique("kk-regen-tty");
    sandbox().ensure_client("shasta", &client, "tty-secret-value-3");
    let command = format!("kubectl keycloak client-secret {client} --regenerate -o raw");
    let refused = on_terminal(&command, "n\n");
    assert!(refused.stdout.contains("Regenerate the secret of client"), "{refused:?}");
    assert!(refused.stdout.contains("not confirmed; nothing was changed"), "{refused:?}");
    assert_eq!(sandbox().secret_of("shasta", &client), "tty-secret-value-3");
    let accepted = on_terminal(&command, "y\n");
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, "tty-secret-value-3");
    assert!(accepted.stdout.contains(&new), "{accepted:?}");
}

#[test]
fn regenerate_refuses_a_public_client_before_asking() {
    Run::kubectl(&["client-secret", "shasta", "--regenerate"]).run().fails(12, "public client");
}

#[test]
fn to_secret_creates_the_secret_and_prints_nothing() {
    let name = unique("kk-store");
    let out = Run::kubectl(&["client-secret", "my-test-client", "--to-secret", &format!("default/{name}")]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
    assert!(out.stderr.contains(&format!("created Secret default/{name} (key client-secret)")), "{out:?}");
    assert_eq!(secret_data("default", &name), json!({"client-secret": sandbox().secret_of("shasta", "my-test-client")}));
}

#[test]
fn to_secret_changes_only_its_key_and_prints_when_asked() {
    let name = unique("kk-store-merge");
    apply_secret("services", &name, &[("endpoint", "https://x"), ("client-id", "admin-client"), ("client-secret", "stale")]);
    let expected = sandbox().secret_of("shasta", "admin-client");
    Run::kubectl(&["client-secret", "admin-client", "--to-secret", &name, "-o", "raw"])
        .run()
        .stdout_is(&format!("{expected}\n"));
    assert_eq!(
        secret_data("services", &name),
        json!({"endpoint": "https://x", "client-id": "admin-client", "client-secret": expected})
    );
    Run::kubectl(&["client-secret", "admin-client", "--to-secret", &format!("{name}:other-key")]).run();
    assert_eq!(secret_data("services", &name)["other-key"], json!(expected));
}

#[test]
fn rotation_whose_secret_write_fails_says_how_to_resync() {
    let client = unique("kk-rotate-fail");
    sandbox().ensure_client("shasta", &client, "before-rotation-4");
    let out = Run::kubectl(&["client-secret", &client, "--regenerate", "--yes", "--to-secret", "no-such-namespace/x"])
        .run()
        .fails(16, "WAS changed in Keycloak")
        .stderr_contains(&format!("kubectl keycloak client-secret {client} --realm shasta --to-secret no-such-namespace/x:client-secret"));
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, "before-rotation-4");
    assert!(!out.stderr.contains(&new), "the new secret leaked: {out:?}");
}

/// A realm of its own whose client policy keeps the previous secret.
fn rotation_realm() -> String {
    let realm = "kk-rotation".to_string();
    sandbox().ensure_realm(&realm);
    let profiles = json!({"profiles": [{
        "name": "kk-secret-rotation",
        "executors": [{"executor": "secret-rotation", "configuration": {
            "expiration-period": "3600", "rotated-expiration-period": "600", "remaining-rotation-period": "60"
        }}]
    }]});
    let policies = json!({"policies": [{
        "name": "kk-rotate-confidential", "enabled": true,
        "conditions": [{"condition": "client-access-type", "configuration": {"type": ["confidential"]}}],
        "profiles": ["kk-secret-rotation"]
    }]});
    let (status, body) = sandbox().admin("PUT", &format!("/{}/client-policies/profiles", enc(&realm)), Some(profiles));
    assert_eq!(status, 204, "{body}");
    let (status, body) = sandbox().admin("PUT", &format!("/{}/client-policies/policies", enc(&realm)), Some(policies));
    assert_eq!(status, 204, "{body}");
    realm
}

#[test]
fn rotated_secret_is_shown_and_invalidated_where_keycloak_supports_it() {
    if sandbox().version.starts_with("21.") {
        // CSM's Keycloak: secret rotation is a preview feature it ships off.
        Run::kubectl(&["client-secret", "my-test-client", "--rotated"]).run().fails(17, "secret rotation turned off");
        Run::kubectl(&["client-secret", "my-test-client", "--invalidate-rotated", "--yes"]).run().fails(17, "client-secret-rotation");
        return;
    }
    let realm = rotation_realm();
    let client = unique("kk-rotated");
    Run::kubectl(&["create-client", &client, "--service-account", "--realm", &realm, "-o", "raw"]).run();
    let first = sandbox().secret_of(&realm, &client);
    let regenerated = Run::kubectl(&["client-secret", &client, "--realm", &realm, "--regenerate", "--yes", "-o", "raw"]).run().success();
    register_secret(regenerated.stdout.trim_end());
    Run::kubectl(&["client-secret", &client, "--realm", &realm, "--rotated", "-o", "raw"]).run().success().stdout_is(&format!("{first}\n"));
    let out = Run::kubectl(&["client-secret", &client, "--realm", &realm, "--invalidate-rotated", "--yes"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
    Run::kubectl(&["client-secret", &client, "--realm", &realm, "--rotated"]).run().fails(12, "has no rotated secret");
}

#[test]
fn token_is_a_working_admin_token_with_its_expiry() {
    let out = Run::kubectl(&["token"]).run().success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("# expires 20"), "{out:?}");
    let token = lines[1].strip_prefix("export KEYCLOAK_TOKEN='").and_then(|t| t.strip_suffix('\'')).expect("export line");
    register_secret(token);
    let url = format!("{}/admin/realms/shasta/clients?clientId=my-test-client", sandbox().keycloak_url);
    let response = sandbox().agent().get(&url).header("Authorization", format!("Bearer {token}")).call().unwrap();
    assert_eq!(response.status(), 200);
    let json: Value = serde_json::from_str(&Run::kubectl(&["token", "-o", "json"]).run().success().stdout).unwrap();
    register_secret(json["token"].as_str().unwrap());
    let expires_in = json["expiresIn"].as_i64().unwrap();
    assert!((1..=3600).contains(&expires_in), "{json}");
}

#[test]
fn clients_lists_every_page_without_secrets() {
    let table = Run::kubectl(&["clients"]).run().success().stdout;
    assert!(table.starts_with("CLIENT ID"), "{table}");
    let row = |id: &str| table.lines().find(|l| l.starts_with(&format!("{id} "))).unwrap_or_else(|| panic!("{id} missing:\n{table}")).to_string();
    assert!(row("my-test-client").ends_with("confidential   yes"), "{table}");
    assert!(row("shasta").contains("public"), "{table}");
    assert!(!table.contains(&sandbox().secret_of("shasta", "my-test-client")));
}

#[test]
fn clients_follows_pages_to_the_end() {
    // Five clients of its own, so scale runs' extra clients do not matter.
    let prefix = unique("kk-page");
    for n in 1..=5 {
        sandbox().ensure_client("shasta", &format!("{prefix}-{n}"), &format!("{prefix}-secret-{n}"));
    }
    let list = |page_size: &str| -> Vec<String> {
        let out = Run::kubectl(&["clients", "--search", &prefix, "-o", "json", "--page-size", page_size]).run().success().stdout;
        let json: Value = serde_json::from_str(&out).unwrap();
        json.as_array().unwrap().iter().map(|c| c["clientId"].as_str().unwrap().to_string()).collect()
    };
    let expected: Vec<String> = (1..=5).map(|n| format!("{prefix}-{n}")).collect();
    assert_eq!(list("2"), expected, "three pages of 2, 2 and 1");
    assert_eq!(list("5"), expected, "a full page, then an empty one");
    assert_eq!(list("100"), expected);
}

#[test]
fn clients_search_is_a_substring_filter() {
    let found: Value = serde_json::from_str(&Run::kubectl(&["clients", "--search", "COMPUTE", "-o", "json"]).run().success().stdout).unwrap();
    let ids: Vec<&str> = found.as_array().unwrap().iter().map(|c| c["clientId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["system-compute-client"]);
    let yaml = Run::kubectl(&["clients", "--search", "my-test-client", "-o", "yaml"]).run().success().stdout;
    assert!(yaml.contains("- clientId: my-test-client\n"), "{yaml}");
}

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

#[test]
fn config_file_supplies_per_context_defaults_below_flags_and_environment() {
    let file = scratch_file("config.yaml");
    let url = &sandbox().keycloak_url;
    std::fs::write(&file, format!("defaults:\n  realm: shasta\ncontexts:\n  sandbox:\n    keycloak-url: {url}\n  other:\n    realm: nope\n")).unwrap();
    let config = |run: Run| run.env("KUBECTL_KEYCLOAK_CONFIG", &file).env_remove("KUBECTL_KEYCLOAK_URL");
    let shown = config(Run::kubectl(&["config"])).run().success().stdout;
    let line = |name: &str| shown.lines().find(|l| l.starts_with(name)).unwrap_or_default().to_string();
    assert!(line("keycloak-url").contains(url) && line("keycloak-url").ends_with("(contexts.sandbox)"), "{shown}");
    assert!(line("realm").ends_with("(defaults)"), "{shown}");
    assert!(line("admin-secret").ends_with("default"), "{shown}");
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    config(Run::kubectl(&["client-secret", "my-test-client"])).run().success().stdout_is(&expected);
    let overridden = config(Run::kubectl(&["config", "--realm", "flagged"])).env("KUBECTL_KEYCLOAK_REALM", "env").run().success().stdout;
    assert!(overridden.lines().any(|l| l.starts_with("realm") && l.contains("flagged") && l.ends_with("flag")), "{overridden}");
    let from_env = config(Run::kubectl(&["config"])).env("KUBECTL_KEYCLOAK_REALM", "env").run().success().stdout;
    assert!(from_env.lines().any(|l| l.starts_with("realm") && l.ends_with("environment KUBECTL_KEYCLOAK_REALM")), "{from_env}");
}

#[test]
fn config_file_with_an_unknown_key_is_refused() {
    let file = scratch_file("bad-config.yaml");
    std::fs::write(&file, "contexts:\n  sandbox:\n    insecure-skip-keycloak-tls-verify: \"true\"\n").unwrap();
    Run::kubectl(&["client-secret", "my-test-client"]).env("KUBECTL_KEYCLOAK_CONFIG", &file).run().fails(2, "unknown key");
}
