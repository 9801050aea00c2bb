//! `-o dotenv` read back by a real .env reader: python-dotenv's
//! `dotenv_values` with its default settings (tests/deps installs it) must
//! read exactly the secret Keycloak holds.

use std::path::Path;
use std::process::Command;

use crate::common::{Run, scratch_file};
use crate::sandbox::{sandbox, unique};

/// What python-dotenv reads from `file`, as JSON. The file's path is the
/// only argument; the values stay in the file.
fn python_dotenv(file: &Path) -> serde_json::Value {
    let script = "import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("run python3 (tests/deps installs python3-dotenv)");
    assert!(out.status.success(), "python-dotenv failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `kubectl keycloak client-secret CLIENT -o dotenv` into a .env file, and
/// what python-dotenv reads from it.
fn through_python_dotenv(client: &str) -> serde_json::Value {
    let out = Run::kubectl(&["client-secret", client, "-o", "dotenv"]).run().success();
    let file = scratch_file("client.env");
    std::fs::write(&file, &out.stdout).unwrap();
    python_dotenv(&file)
}

#[test]
fn dotenv_output_reads_back_exactly_in_python_dotenv() {
    let secret = sandbox().secret_of("shasta", "my-test-client");
    assert_eq!(through_python_dotenv("my-test-client"), serde_json::json!({"CLIENT_SECRET": secret}));
}

/// Everything -o dotenv accepts that a careless .env writer gets wrong:
/// shell syntax, `#`, double quotes, spaces at both ends, control
/// characters and separators that are not line breaks, non-ASCII. (`$`,
/// `\`, `'` and line breaks are refused: see below.)
const HOSTILE_BUT_ALLOWED: &str = " (touch CANARY) `id` \"dq\" # not a comment ;&|*?~!%^ =x= \ttab \
                                   \x0b\x0c\x1b[31m\x7f\u{85}\u{2028}\u{2029} é 雪 🔑 end ";

#[test]
fn a_hostile_but_allowed_secret_reads_back_exactly_in_python_dotenv() {
    let client = unique("kk-dotenv");
    sandbox().ensure_client("shasta", &client, HOSTILE_BUT_ALLOWED);
    assert_eq!(through_python_dotenv(&client), serde_json::json!({"CLIENT_SECRET": HOSTILE_BUT_ALLOWED}));
}

#[test]
fn secrets_a_dotenv_reader_would_rewrite_are_refused() {
    // python-dotenv expands ${HOME} and reads \\ as \ even in single quotes.
    for secret in ["${HOME}", "double\\\\backslash"] {
        let client = unique("kk-dotenv-rewritten");
        sandbox().ensure_client("shasta", &client, secret);
        Run::kubectl(&["client-secret", &client, "-o", "dotenv"]).run().fails_with(
            14,
            &format!(
                "kubectl-keycloak: error: the secret of client {client:?} cannot be printed in this format: it contains a quote, \
                 $, backslash or line break that .env files cannot hold portably; use -o json"
            ),
        );
    }
}
