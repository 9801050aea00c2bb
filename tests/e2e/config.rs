//! The config file (`KUBECTL_KEYCLOAK_CONFIG`) and `kubectl keycloak
//! config`: per-context defaults below flags and environment, each setting
//! shown with its source; unknown keys refused.

use crate::common::{Run, scratch_file};
use crate::sandbox::sandbox;

#[test]
fn config_file_supplies_per_context_defaults_below_flags_and_environment() {
    let file = scratch_file("config.yaml");
    let url = &sandbox().keycloak_url;
    std::fs::write(
        &file,
        format!("defaults:\n  realm: shasta\ncontexts:\n  sandbox:\n    keycloak-url: {url}\n  other:\n    realm: nope\n"),
    )
    .unwrap();
    let config = |run: Run| run.env("KUBECTL_KEYCLOAK_CONFIG", &file).env_remove("KUBECTL_KEYCLOAK_URL");
    let shown = config(Run::kubectl(&["config"])).run().success().stdout;
    let line = |name: &str| shown.lines().find(|l| l.starts_with(name)).unwrap_or_default().to_string();
    assert!(line("keycloak-url").contains(url) && line("keycloak-url").ends_with("(contexts.sandbox)"), "{shown}");
    assert!(line("realm").ends_with("(defaults)"), "{shown}");
    assert!(line("admin-secret").ends_with("default"), "{shown}");
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    config(Run::kubectl(&["client-secret", "my-test-client"])).run().success().stdout_is(&expected);
    let overridden =
        config(Run::kubectl(&["config", "--realm", "flagged"])).env("KUBECTL_KEYCLOAK_REALM", "env").run().success().stdout;
    assert!(overridden.lines().any(|l| l.starts_with("realm") && l.contains("flagged") && l.ends_with("flag")), "{overridden}");
    let from_env = config(Run::kubectl(&["config"])).env("KUBECTL_KEYCLOAK_REALM", "env").run().success().stdout;
    assert!(from_env.lines().any(|l| l.starts_with("realm") && l.ends_with("environment KUBECTL_KEYCLOAK_REALM")), "{from_env}");
}

#[test]
fn config_file_with_an_unknown_key_is_refused() {
    let file = scratch_file("bad-config.yaml");
    std::fs::write(&file, "contexts:\n  sandbox:\n    insecure-skip-keycloak-tls-verify: \"true\"\n").unwrap();
    Run::kubectl(&["client-secret", "my-test-client"]).env("KUBECTL_KEYCLOAK_CONFIG", &file).run().fails_with(
        2,
        &format!(
            "kubectl-keycloak: error: config file {} is invalid: unknown key \"insecure-skip-keycloak-tls-verify\" in contexts.sandbox; \
             sections are defaults and contexts.NAME, keys keycloak-url, realm, admin-realm, admin-secret, admin-user, admin-user-key, admin-password-key, \
             keycloak, keycloak-ca-file, keycloak-ca-configmap, port-forward",
            file.display()
        ),
    );
}
