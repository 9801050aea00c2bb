//! What works without any cluster: help, version, completions, argument and
//! kubeconfig errors. Each asserts exit code, stdout and stderr together.

mod common;

use common::{Outcome, Run, scratch_file};

fn usage_error(outcome: Outcome, needle: &str) {
    assert_eq!(outcome.code, 2, "{outcome:?}");
    assert!(outcome.stdout.is_empty(), "{outcome:?}");
    assert!(outcome.stderr.contains(needle), "{outcome:?}");
}

#[test]
fn help_speaks_as_a_kubectl_plugin_and_shows_eval_examples() {
    let out = Run::direct(&["client-secret", "--help"]).run().success();
    assert!(out.stdout.contains("Usage: kubectl keycloak client-secret"), "{out:?}");
    assert!(out.stdout.contains("eval \"$(kubectl keycloak client-secret my-test-client)\""));
    assert!(out.stdout.contains("| source"));
    assert!(out.stdout.contains("Invoke-Expression"));
    assert!(out.stdout.contains("--insecure-skip-keycloak-tls-verify"));
}

#[test]
fn help_through_the_real_kubectl() {
    let out = Run::kubectl(&["--help"]).run().success();
    assert!(out.stdout.contains("client-secret"), "{out:?}");
}

#[test]
fn version_prints_the_cargo_version() {
    Run::direct(&["--version"]).run().success().stdout_is(&format!("kubectl keycloak {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn completion_scripts_parse_in_their_shells() {
    for (shell, check) in [("bash", vec!["bash", "-n"]), ("zsh", vec!["zsh", "-n"]), ("fish", vec!["fish", "--no-execute"])] {
        let out = Run::direct(&["completion", shell]).run().success();
        assert!(out.stdout.contains("client-secret"), "{shell}");
        let file = scratch_file(&format!("completion.{shell}"));
        std::fs::write(&file, &out.stdout).unwrap();
        let status = std::process::Command::new(check[0]).args(&check[1..]).arg(&file).status().unwrap();
        assert!(status.success(), "{shell} rejects its completion script");
    }
}

#[test]
fn a_subcommand_and_a_client_are_required() {
    usage_error(Run::direct(&[]).run(), "Usage:");
    usage_error(Run::direct(&["client-secret"]).run(), "<CLIENT>");
}

#[test]
fn hostile_variable_names_are_refused_before_any_request() {
    for bad in ["1A", "A-B", "A;touch /tmp/x", "$(id)", "A B", ""] {
        Run::direct(&["client-secret", "c", "--var", bad])
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .run()
            .fails(2, "invalid variable name");
    }
}

#[test]
fn one_var_per_client() {
    Run::direct(&["client-secret", "a", "b", "--var", "X"]).run().fails(2, "one --var per client");
}

#[test]
fn bad_request_timeout_is_a_usage_error() {
    Run::direct(&["client-secret", "a", "--request-timeout", "soon"]).run().fails(2, "invalid --request-timeout");
}

#[test]
fn kubeconfig_list_of_missing_files_means_no_context() {
    let missing = scratch_file("missing-a").display().to_string() + ":" + &scratch_file("missing-b").display().to_string();
    Run::direct(&["client-secret", "my-test-client"]).env("KUBECONFIG", missing).run().fails(3, "context");
}

#[test]
fn explicit_kubeconfig_that_does_not_exist_is_an_error() {
    let missing = scratch_file("nope");
    Run::direct(&["client-secret", "my-test-client", "--kubeconfig"]).arg(&missing).run().fails(3, "cannot read kubeconfig");
}

#[test]
fn kubeconfig_that_is_not_yaml() {
    let file = scratch_file("garbage");
    std::fs::write(&file, "this: is: not [yaml\n\t{").unwrap();
    Run::direct(&["client-secret", "my-test-client"]).env("KUBECONFIG", &file).run().fails(3, "kubeconfig");
}

#[test]
fn unknown_context_names_the_fix() {
    let file = scratch_file("kubeconfig");
    std::fs::write(&file, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n").unwrap();
    Run::direct(&["client-secret", "x", "--context", "nope"]).env("KUBECONFIG", &file).run().fails(3, "kubectl config get-contexts");
}

#[test]
fn single_client_operations_refuse_several_clients_before_any_request() {
    for flag in ["--regenerate", "--rotated", "--invalidate-rotated"] {
        Run::direct(&["client-secret", "a", "b", flag])
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .run()
            .fails(2, "take exactly one CLIENT");
    }
    Run::direct(&["client-secret", "a", "b", "--to-secret", "ns/s"]).env("KUBECONFIG", "/nonexistent").run().fails(2, "exactly one CLIENT");
}

#[test]
fn token_and_create_client_check_their_variable_names_first() {
    Run::direct(&["token", "--var", "9x"]).env("KUBECONFIG", "/nonexistent").run().fails(2, "invalid variable name");
    Run::direct(&["create-client", "c", "--var", "a-b"]).env("KUBECONFIG", "/nonexistent").run().fails(2, "invalid variable name");
}
