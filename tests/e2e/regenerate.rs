//! `client-secret --regenerate`: a new secret in Keycloak, asked for on a
//! terminal or with --yes, never for a public client; and a rotation whose
//! Secret write fails says how to finish without regenerating again.

use crate::common::Run;
use crate::sandbox::{sandbox, unique};

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
