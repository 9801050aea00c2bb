//! Eval round-trips in real shells: hostile secrets stored in Keycloak come
//! back byte for byte after `eval`/`source`, and nothing else runs.

use crate::common::{Run, scratch_file};
use crate::sandbox::{sandbox, unique};

/// Secrets Keycloak can store that break naive quoting. Each would, if
/// mis-quoted, run `touch CANARY` or change the value.
const HOSTILE: &[&str] = &[
    "it's a 'quoted' \"secret\"",
    "$(touch CANARY)`touch CANARY`${HOME}$HOME",
    "back\\slash\\\\ and \\' and \\\"",
    "line one\nline two\n",
    "\ttab\rcarriage\x1b[31mescape\x07bell\x7f",
    "!history !! %percent ^caret ~tilde #hash ;semi &amp |pipe *glob ?x [a]",
    "unicode: é ü 雪 🔑 \u{2028}sep\u{2029} e\u{301}\u{302} \u{200b}\u{feff}",
    "‘curly’ “double” ‛reversed‚ ' '' '''",
    "-n -e --",
    "'; touch CANARY; echo '",
    "\"; touch CANARY; echo \"",
    "\n",
];

/// How each shell evaluates the output and prints the variable.
const SHELLS: &[(&str, &str, &str)] = &[
    ("bash", "shell", r#"eval "$(kubectl keycloak client-secret "$1")" && printf %s "$CLIENT_SECRET""#),
    ("dash", "shell", r#"eval "$(kubectl keycloak client-secret "$1")" && printf %s "$CLIENT_SECRET""#),
    ("zsh", "shell", r#"eval "$(kubectl keycloak client-secret "$1")" && printf %s "$CLIENT_SECRET""#),
    ("fish", "fish", r#"kubectl keycloak client-secret $argv[1] -o fish | source; and printf %s $CLIENT_SECRET"#),
];

fn shell_command(shell: &str, script: &str, client: &str) -> Run {
    match shell {
        "fish" => Run::program("fish", &["--no-config", "-c", script, client]),
        "zsh" => Run::program("zsh", &["-f", "-c", script, "zsh", client]),
        other => Run::program(other, &["-c", script, other, client]),
    }
}

#[test]
fn hostile_secrets_survive_eval_in_every_shell() {
    // Its own client: the secret changes under it, and other runs against
    // the same sandbox must not change it meanwhile.
    let client = unique("kk-eval-roundtrip");
    let workdir = scratch_file("evaldir");
    std::fs::create_dir_all(&workdir).unwrap();
    for secret in HOSTILE {
        sandbox().ensure_client("shasta", &client, secret);
        for (shell, _format, script) in SHELLS {
            let out = shell_command(shell, script, &client).current_dir(&workdir).run();
            assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{shell} failed for {secret:?}: {out:?}");
            assert_eq!(out.stdout_bytes, secret.as_bytes(), "{shell} set a different value for {secret:?}");
            assert!(!workdir.join("CANARY").exists(), "{shell} ran code from {secret:?}");
        }
    }
}

#[test]
fn powershell_output_quotes_curly_quotes_and_stays_on_one_line() {
    let client = unique("kk-pwsh");
    let secret = "a'b‘c’d‚e‛f\ng";
    sandbox().ensure_client("shasta", &client, secret);
    Run::kubectl(&["client-secret", &client, "-o", "powershell"])
        .run()
        .success()
        .stdout_is("$env:CLIENT_SECRET = 'a''b‘‘c’’d‚‚e‛‛f' + [char]0x000A + 'g'\n");
}

#[test]
fn secrets_with_a_nul_are_impossible_to_store() {
    // Keycloak refuses or strips NUL; the renderer's refusal is unit-tested.
    // What matters end to end: no client ever yields a truncated value.
    let client = format!("kk-plain-{}", sandbox().version);
    sandbox().ensure_client("shasta", &client, "plain-value");
    Run::kubectl(&["client-secret", &client, "-o", "raw"]).run().success().stdout_is("plain-value\n");
}
