//! The completer on any words (NUL-separated, as argv holds no NUL).
//!
//! The walk of the words before the last (`completion_walk`): a
//! subcommand only where one is typed, a pending flag only when the word
//! before is a flag, the positionals in the order typed.
//!
//! The answer (`completion_line`): kubectl's protocol, one
//! `value[<TAB>help]` line per candidate (a value without control
//! characters, a help without a tab), each value extending the word being
//! completed, and the last line `:<directive>`. The deadline has passed, so
//! nothing is asked of a server; tests/fuzz points KUBECONFIG at an empty
//! file.
#![no_main]

use kubectl_keycloak::fuzzing::{completion_line, completion_walk};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let words: Vec<String> = text.split('\0').map(str::to_string).collect();
    // A kubeconfig named on the line is read: no device or FIFO that blocks.
    if words.iter().any(|word| word.contains("/dev/") || word.contains("/proc/")) {
        return;
    }
    let (current, before) = words.split_last().expect("split gives one word at least");

    let (subcommand, pending, positionals) = completion_walk(before);
    if let Some(subcommand) = &subcommand {
        assert!(before.contains(subcommand), "subcommand {subcommand:?} not typed in {before:?}");
    }
    if let Some(flag) = &pending {
        assert!(before.last().is_some_and(|word| word.starts_with('-')), "pending {flag:?} after {before:?}");
    }
    let mut typed = before.iter();
    for positional in &positionals {
        assert!(typed.any(|word| word == positional), "positionals {positionals:?} not in order in {before:?}");
    }
    assert!(subcommand.is_some() || positionals.is_empty(), "positionals {positionals:?} without a subcommand");

    let answer = completion_line(&words);
    let (candidates, directive) = answer.strip_suffix('\n').and_then(|a| a.rsplit_once(':')).expect("ends with :<n>");
    assert!(matches!(directive, "0" | "4"), "directive {directive:?}");
    assert!(candidates.is_empty() || candidates.ends_with('\n'), "{answer:?}");
    for line in candidates.lines() {
        let value = line.split_once('\t').map_or(line, |(value, _)| value);
        assert!(!value.is_empty() && !value.chars().any(char::is_control), "{line:?}");
        assert!(value.starts_with(current.as_str()), "candidate {value:?} for the word {current:?}");
        assert!(!line.chars().any(|c| c.is_control() && c != '\t') && line.matches('\t').count() <= 1, "{line:?}");
    }
});
