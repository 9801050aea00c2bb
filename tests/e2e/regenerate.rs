//! `client-secret --regenerate`: a new secret in Keycloak, asked for on a
//! terminal or with --yes, never for a public client; and a rotation whose
//! Secret write fails says how to finish without regenerating again.

use crate::common::{Outcome, Run};
use crate::sandbox::{sandbox, unique};

#[test]
fn regenerate_with_yes_replaces_the_secret_and_prints_the_new_one() {
    let client = unique("kk-regen");
    sandbox().ensure_client("shasta", &client, "old-secret-value-1");
    let out = Run::kubectl(&["client-secret", &client, "--regenerate", "--yes", "-o", "raw"]).run().success();
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, "old-secret-value-1");
    out.stdout_is(&format!("{new}\n"));
}

#[test]
fn regenerate_needs_yes_without_a_terminal_and_changes_nothing() {
    let client = unique("kk-regen-refused");
    sandbox().ensure_client("shasta", &client, "kept-secret-value-2");
    Run::kubectl(&["client-secret", &client, "--regenerate"]).run().fails_with(
        2,
        &format!(
            "kubectl-keycloak: error: refusing to regenerate the secret of client \"{client}\" in realm \"shasta\" without --yes: \
             stdin is not a terminal to ask on"
        ),
    );
    assert_eq!(sandbox().secret_of("shasta", &client), "kept-secret-value-2");
}

/// Runs the plugin on a pseudo-terminal (util-linux `script`), typing
/// `answer` and a newline. Returns the exit code and what the terminal
/// showed (stdout and stderr joined, CR LF line ends) without the echo of
/// the typed line, which may come before or after the question.
fn on_terminal(command: &str, answer: &str) -> (i32, String) {
    let out: Outcome = Run::program("script", &["-qefc", command, "/dev/null"]).stdin(format!("{answer}\n").as_bytes()).run();
    assert_eq!(out.stderr, "", "{out:?}");
    let echo = format!("{answer}\r\n");
    assert!(out.stdout.contains(&echo), "{out:?}");
    (out.code, out.stdout.replacen(&echo, "", 1))
}

#[test]
fn regenerate_asks_on_a_terminal() {
    let client = unique("kk-regen-tty");
    sandbox().ensure_client("shasta", &client, "tty-secret-value-3");
    let command = format!("kubectl keycloak client-secret {client} --regenerate -o raw");
    let question = format!(
        "Regenerate the secret of client \"{client}\" in realm \"shasta\"? The current secret stops working at once. [y/N] "
    );
    let refused = on_terminal(&command, "n");
    assert_eq!(refused, (2, format!("{question}kubectl-keycloak: error: not confirmed; nothing was changed\r\n")));
    assert_eq!(sandbox().secret_of("shasta", &client), "tty-secret-value-3");
    let accepted = on_terminal(&command, "y");
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, "tty-secret-value-3");
    assert_eq!(accepted, (0, format!("{question}{new}\r\n")));
}

#[test]
fn regenerate_refuses_a_public_client_before_asking() {
    Run::kubectl(&["client-secret", "shasta", "--regenerate"]).run().fails_with(
        12,
        "kubectl-keycloak: error: client \"shasta\" in realm \"shasta\" has no secret: it is a public client; \
         only confidential clients have secrets",
    );
}

#[test]
fn rotation_whose_secret_write_fails_says_how_to_resync() {
    let client = unique("kk-rotate-fail");
    sandbox().ensure_client("shasta", &client, "before-rotation-4");
    // The new secret must not be on stderr: run() fails the test if any
    // secret known by then is; this one is known only afterwards.
    let out = Run::kubectl(&["client-secret", &client, "--regenerate", "--yes", "--to-secret", "no-such-namespace/x"])
        .run()
        .fails_with(
            16,
            &format!(
                "kubectl-keycloak: error: the secret of client \"{client}\" WAS changed in Keycloak, but storing it failed: \
                 cannot write key \"client-secret\" of Secret no-such-namespace/x: not found; \
                 check the namespace of --to-secret (it must exist); \
                 once fixed, sync without regenerating: \
                 kubectl keycloak client-secret {client} --realm shasta --to-secret no-such-namespace/x:client-secret"
            ),
        );
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, "before-rotation-4");
    assert!(!out.raw_stderr.contains(&new), "the new secret leaked: {out:?}");
}
