//! The three quoters on any strings, checked by how their outputs relate,
//! not by a model of the shells (tests/eval_safety runs the real ones):
//! - the same output each time;
//! - two different values never quote alike (a value is read back from
//!   its quoting only if no other value has the same);
//! - each character is quoted on its own: the quoting of `a + b` is those
//!   of `a` and `b` joined where the one ends and the other starts;
//! - PowerShell's stays on one line.
//!
//! The input is two values, split at the first 0xFF byte (never part of
//! UTF-8). NUL passes through: callers refuse it before quoting.
#![no_main]

use kubectl_keycloak::fuzzing::{fish_quote, posix_quote, powershell_quote};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&byte| byte == 0xFF) {
        Some(at) => (String::from_utf8_lossy(&data[..at]), String::from_utf8_lossy(&data[at + 1..])),
        None => (String::from_utf8_lossy(data), "".into()),
    };
    let joined = format!("{a}{b}");
    for (shell, quote) in [("posix", posix_quote as fn(&str) -> String), ("fish", fish_quote), ("powershell", powershell_quote)] {
        let (qa, qb, qjoined) = (quote(&a), quote(&b), quote(&joined));
        assert_eq!(qa, quote(&a), "{shell}: not deterministic");
        assert!(qa.starts_with('\''), "{shell}: {qa:?}");
        if a != b {
            assert_ne!(qa, qb, "{shell}: {a:?} and {b:?} quote alike");
        }
        assert!(joins(shell, &qa, &qb).contains(&qjoined), "{shell}: {qjoined:?} is not {qa:?} joined to {qb:?}");
    }
    for value in [&a, &b] {
        let quoted = powershell_quote(value);
        assert!(
            !quoted.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
            "powershell: {quoted:?} breaks the line"
        );
    }
});

/// The ways the quotings of two values may join into the quoting of both:
/// one `'...'` closed and the next opened (POSIX, fish and PowerShell
/// between literal text); PowerShell's `[char]` terms after a closed string
/// (` + ` before the next string, its empty `''` start dropped before the
/// next term).
fn joins(shell: &str, a: &str, b: &str) -> Vec<String> {
    let mut joins = Vec::new();
    if let (Some(a_open), Some(b_open)) = (a.strip_suffix('\''), b.strip_prefix('\'')) {
        joins.push(format!("{a_open}{b_open}"));
    }
    if shell == "powershell" {
        joins.push(format!("{a} + {b}"));
        if let Some(b_terms) = b.strip_prefix("''") {
            joins.push(format!("{a}{b_terms}"));
        }
    }
    joins
}
