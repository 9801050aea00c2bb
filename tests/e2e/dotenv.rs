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
/// shell syntax, `#`, double quotes, a lone and a trailing backslash,
/// spaces at both ends, control characters and separators that are not
/// line breaks, non-ASCII.
const HOSTILE_BUT_ALLOWED: &str = " $HOME $(touch CANARY) `id` \"dq\" # not a comment ;&|*?~!%^ =x= \ttab back\\slash \
                                   \x0b\x0c\x1b[31m\x7f\u{85}\u{2028}\u{2029} é 雪 🔑 end\\";

#[test]
fn a_hostile_but_allowed_secret_reads_back_exactly_in_python_dotenv() {
    let client = unique("kk-dotenv");
    sandbox().ensure_client("shasta", &client, HOSTILE_BUT_ALLOWED);
    assert_eq!(through_python_dotenv(&client), serde_json::json!({"CLIENT_SECRET": HOSTILE_BUT_ALLOWED}));
}

#[test]
#[ignore = "fails today: -o dotenv writes these unescaped in single quotes; python-dotenv expands ${HOME} and reads \\\\ as \\"]
fn secrets_python_dotenv_would_rewrite_are_refused_or_escaped() {
    for secret in ["${HOME}", "double\\\\backslash"] {
        let client = unique("kk-dotenv-rewritten");
        sandbox().ensure_client("shasta", &client, secret);
        let out = Run::kubectl(&["client-secret", &client, "-o", "dotenv"]).run();
        if out.code == 0 {
            let file = scratch_file("client.env");
            std::fs::write(&file, &out.stdout).unwrap();
            assert_eq!(python_dotenv(&file), serde_json::json!({"CLIENT_SECRET": secret}), "{secret:?} as {:?}", out.stdout);
        } else {
            assert_eq!((out.code, out.stdout.as_str()), (14, ""), "{out:?}");
        }
    }
}
