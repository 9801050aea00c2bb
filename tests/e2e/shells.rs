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
fn a_secret_holding_nul_is_refused_in_shell_formats_never_truncated() {
    // Keycloak 21 and 26 both store a NUL in a secret as given.
    let client = unique("kk-nul");
    let secret = "before-nul\0after-nul";
    sandbox().ensure_client("shasta", &client, secret);
    let refused = format!(
        "kubectl-keycloak: error: the secret of client \"{client}\" cannot be printed in this format: \
         it contains a NUL byte, which no shell variable can hold; use -o json"
    );
    for format in ["shell", "fish", "powershell", "dotenv"] {
        Run::kubectl(&["client-secret", &client, "-o", format]).run().fails_with(14, &refused);
    }
    // eval of the empty output changes nothing: the variable keeps its value.
    let script = r#"CLIENT_SECRET=unchanged; eval "$(kubectl keycloak client-secret "$1")"; printf %s "$CLIENT_SECRET""#;
    let out = Run::program("bash", &["-c", script, "bash", &client]).run().stdout_is("unchanged");
    assert_eq!((out.code, out.stderr), (0, format!("{refused}\n")));
    // Formats that can carry it do, whole.
    let raw = Run::kubectl(&["client-secret", &client, "-o", "raw"]).run().success();
    assert_eq!(raw.stdout_bytes, b"before-nul\0after-nul\n");
    let json = Run::kubectl(&["client-secret", &client, "-o", "json"]).run().success();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["secret"], secret, "{}", json.stdout);
}
