//! Eval safety, generated: hostile secrets rendered by the plugin and
//! evaluated by the real shells (bash, dash, zsh, fish) must set exactly the
//! secret and run nothing else. No server is involved: the strings go
//! straight into the plugin's renderer, the output into the shell.

mod common;

use std::path::Path;
use std::process::Command;

use kubectl_keycloak::testing::{ClientFields, DEFAULT_VARIABLE, Format, Printed, Secret, render};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

/// Each of these runs `touch CANARY` if quoting fails.
const INJECTIONS: &[&str] = &[
    "$(touch CANARY)",
    "`touch CANARY`",
    "'; touch CANARY; '",
    "\"; touch CANARY; \"",
    "'\ntouch CANARY\n'",
    "\\'; touch CANARY #",
    "(touch CANARY)",
    "'$(touch CANARY)'",
    "\u{2019}; touch CANARY; \u{2018}",
];

const SPECIAL: &[char] = &[
    '\'',
    '"',
    '`',
    '$',
    '\\',
    '!',
    '%',
    '\n',
    '\r',
    '\t',
    '\x0b',
    '\x0c',
    '\x1b',
    '\x7f',
    '(',
    ')',
    '{',
    '}',
    ';',
    '&',
    '|',
    '*',
    '?',
    '#',
    '~',
    '^',
    '=',
    ' ',
    '\u{2018}',
    '\u{2019}',
    '\u{201A}',
    '\u{201B}',
    '\u{201C}',
    '\u{201D}',
    '\u{2028}',
    '\u{2029}',
    '\u{0085}',
    '\u{00A0}',
    '\u{FEFF}',
    '\u{200B}',
    '\u{0301}',
    '\u{0302}',
    '\u{1F511}',
    '雪',
    'é',
    '\u{F600}',
    '\u{F6FF}',
    '\u{FDD0}',
    '\u{FFFE}',
    '\u{FFFF}',
    '\u{10FFFF}',
    '\u{E000}',
];

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => (1u8..=127).prop_map(char::from),
        4 => select(SPECIAL),
        1 => any::<char>().prop_filter("NUL is tested apart", |c| *c != '\0'),
    ]
}

fn hostile_string() -> impl Strategy<Value = String> {
    let chars = |max| prop::collection::vec(hostile_char(), 0..max).prop_map(String::from_iter);
    prop_oneof![
        6 => chars(48),
        3 => (chars(8), select(INJECTIONS), chars(8)).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        1 => (hostile_char(), 1_000..20_000usize, select(INJECTIONS)).prop_map(|(c, n, inj)| format!("{}{inj}", c.to_string().repeat(n))),
    ]
}

struct Shell {
    name: &'static str,
    format: Format,
    args: &'static [&'static str],
}

/// `$1` (`$argv[1]`) is the file holding the plugin's output.
const SHELLS: &[Shell] = &[
    Shell {
        name: "bash",
        format: Format::Shell,
        args: &["--noprofile", "--norc", "-c", r#"eval "$(cat "$1")" && printf %s "$CLIENT_SECRET""#, "bash"],
    },
    Shell { name: "dash", format: Format::Shell, args: &["-c", r#"eval "$(cat "$1")" && printf %s "$CLIENT_SECRET""#, "dash"] },
    Shell {
        name: "zsh",
        format: Format::Shell,
        args: &["-f", "-c", r#"eval "$(cat "$1")" && printf %s "$CLIENT_SECRET""#, "zsh"],
    },
    Shell {
        name: "fish",
        format: Format::Fish,
        args: &["--no-config", "-c", r#"cat $argv[1] | source; and printf %s $CLIENT_SECRET"#],
    },
];

fn rendered(format: Format, secret: &str) -> String {
    let entry = Printed::client_secret(ClientFields::new("c", "r", "https://k"), DEFAULT_VARIABLE.into(), Secret::new(secret));
    render(format, &[entry]).expect("every NUL-free string renders in shell formats")
}

fn check(shell: &Shell, secret: &str, dir: &Path) -> Result<(), TestCaseError> {
    let file = dir.join("output");
    std::fs::write(&file, rendered(shell.format, secret)).unwrap();
    let out = Command::new(shell.name).args(shell.args).arg(&file).current_dir(dir).env("LANG", "C.UTF-8").output().unwrap();
    prop_assert!(out.status.success(), "{} failed on {secret:?}: {}", shell.name, String::from_utf8_lossy(&out.stderr));
    prop_assert!(!dir.join("CANARY").exists(), "{} ran code from {secret:?}", shell.name);
    prop_assert_eq!(String::from_utf8_lossy(&out.stdout), secret, "{} set another value", shell.name);
    Ok(())
}

fn cases() -> u32 {
    std::env::var("EVAL_SAFETY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000)
}

#[test]
fn generated_hostile_secrets_evaluate_to_themselves_in_every_shell() {
    let dir = common::scratch_file("eval-safety");
    std::fs::create_dir_all(&dir).unwrap();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    });
    let tried = std::cell::Cell::new(0u32);
    runner
        .run(&hostile_string(), |secret| {
            tried.set(tried.get() + 1);
            for shell in SHELLS {
                check(shell, &secret, &dir)?;
            }
            Ok(())
        })
        .unwrap();
    let tried = tried.get();
    eprintln!("eval safety: {tried} generated strings x {} shells", SHELLS.len());
    assert!(tried >= cases(), "only {tried} strings tried");
}

#[test]
fn nul_is_refused_in_every_shell_format() {
    for format in [Format::Shell, Format::Fish, Format::Powershell, Format::Dotenv] {
        let entry = Printed::client_secret(ClientFields::new("c", "r", "https://k"), "V".into(), Secret::new("a\0b"));
        let err = render(format, &[entry]).unwrap_err();
        assert!(err.to_string().contains("NUL"), "{format:?}: {err}");
    }
}
