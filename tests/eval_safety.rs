//! Eval safety, generated: hostile secrets rendered by the plugin and
//! evaluated by the real shells (bash, dash, zsh, fish) must set exactly the
//! secret and run nothing else. No server is involved: the strings go
//! straight into the plugin's renderer, the output into the shell.

mod common;

use std::path::Path;
use std::process::Command;

use kubectl_keycloak::testing::{Asked, ClientFields, DEFAULT_VARIABLE, Format, Printed, Secret, render};
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

fn rendered(format: &Format, secret: &str) -> String {
    let entry = Printed::client_secret(ClientFields::new("c", "r", "https://k"), DEFAULT_VARIABLE.into(), Secret::new(secret));
    render(format, &[entry], Asked::One).expect("every NUL-free string renders in shell formats")
}

fn check(shell: &Shell, secret: &str, dir: &Path) -> Result<(), TestCaseError> {
    let file = dir.join("output");
    std::fs::write(&file, rendered(&shell.format, secret)).unwrap();
    let out = Command::new(shell.name).args(shell.args).arg(&file).current_dir(dir).env("LANG", "C.UTF-8").output().unwrap();
    prop_assert!(out.status.success(), "{} failed on {secret:?}: {}", shell.name, String::from_utf8_lossy(&out.stderr));
    prop_assert!(!dir.join("CANARY").exists(), "{} ran code from {secret:?}", shell.name);
    prop_assert_eq!(String::from_utf8_lossy(&out.stdout), secret, "{} set another value", shell.name);
    Ok(())
}

fn cases() -> u32 {
    std::env::var("EVAL_SAFETY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })
}

#[test]
fn generated_hostile_secrets_evaluate_to_themselves_in_every_shell() {
    let dir = common::scratch_file("eval-safety");
    std::fs::create_dir_all(&dir).unwrap();
    let mut runner = runner();
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
        let err = render(&format, &[entry], Asked::One).unwrap_err();
        assert!(err.to_string().contains("NUL"), "{format:?}: {err}");
    }
}

/// PowerShell's single quotes: each of them opens and closes a verbatim
/// string, in which two in a row stand for one (the second).
fn is_powershell_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// What PowerShell assigns for the line `$env:CLIENT_SECRET = TERM + TERM …`,
/// each TERM a verbatim string or `[char]0xHHHH`, the first a string (a
/// `[char]` first would make `+` add numbers); or why the line is not of that
/// shape and could run something else. No PowerShell installs from the
/// registries this project's CI reaches, so this models the language's rules
/// for these terms, written apart from the plugin's quoting.
fn powershell_value(line: &str) -> Result<String, String> {
    let mut rest = line.strip_prefix("$env:CLIENT_SECRET = ").ok_or("not an assignment to $env:CLIENT_SECRET")?;
    let mut value = String::new();
    let mut first = true;
    loop {
        if let Some(hex) = rest.strip_prefix("[char]0x") {
            let digits = hex.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(hex.len());
            let code = u32::from_str_radix(&hex[..digits], 16).map_err(|e| format!("[char]0x{}: {e}", &hex[..digits]))?;
            let c =
                char::from_u32(code).filter(|_| code <= 0xFFFF).ok_or(format!("[char] holds one UTF-16 unit, not {code:#x}"))?;
            if first {
                return Err("a [char] first adds the terms as numbers".into());
            }
            value.push(c);
            rest = &hex[digits..];
        } else {
            let mut chars = rest.char_indices().peekable();
            if !chars.next().is_some_and(|(_, c)| is_powershell_quote(c)) {
                return Err(format!("a term that is neither a verbatim string nor a [char]: {rest:?}"));
            }
            let end = loop {
                match chars.next() {
                    None => return Err("an unterminated string".into()),
                    Some((i, c)) if is_powershell_quote(c) => match chars.peek() {
                        Some(&(_, second)) if is_powershell_quote(second) => {
                            value.push(second);
                            chars.next();
                        }
                        _ => break i + c.len_utf8(),
                    },
                    Some((_, c)) => value.push(c),
                }
            };
            rest = &rest[end..];
        }
        first = false;
        match rest.strip_prefix(" + ") {
            Some(next) => rest = next,
            None if rest.is_empty() => return Ok(value),
            None => return Err(format!("text after a term: {rest:?}")),
        }
    }
}

#[test]
fn the_powershell_model_refuses_what_would_run_or_change_the_value() {
    assert_eq!(powershell_value("$env:CLIENT_SECRET = 'it''s' + [char]0x000A + '\u{2019}\u{2019}'"), Ok("it's\n\u{2019}".into()));
    assert_eq!(powershell_value("$env:CLIENT_SECRET = '' + [char]0x000D"), Ok("\r".into()));
    for line in [
        "$env:CLIENT_SECRET = 'a'b'",
        "$env:CLIENT_SECRET = 'a\u{2018}; touch CANARY; \u{2018}'",
        "$env:CLIENT_SECRET = 'a'; touch CANARY",
        "$env:CLIENT_SECRET = [char]0x000A + 'b'",
        "$env:CLIENT_SECRET = 'a' + \"$(touch CANARY)\"",
        "$env:CLIENT_SECRET = 'a",
        "$env:OTHER = 'a'",
    ] {
        assert!(powershell_value(line).is_err(), "{line:?} read as {:?}", powershell_value(line));
    }
}

#[test]
fn generated_hostile_secrets_read_back_from_their_one_powershell_line() {
    let mut runner = runner();
    runner
        .run(&hostile_string(), |secret| {
            let output = rendered(&Format::Powershell, &secret);
            let line = output.strip_suffix('\n').expect("a line ending in a newline");
            // `… | Invoke-Expression` runs each line on its own.
            prop_assert!(
                !line.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
                "a line break or control character in the line for {secret:?}: {line:?}"
            );
            prop_assert_eq!(powershell_value(line), Ok(secret.clone()), "for {:?}", secret);
            Ok(())
        })
        .unwrap();
}
