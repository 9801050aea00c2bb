//! The config file parser on any text: accepted, or refused with one error
//! line (no control character, no whitespace but spaces).
#![no_main]

use kubectl_keycloak::fuzzing::config_file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(line) = config_file(text) {
        assert!(!line.chars().any(|c| c.is_control() || (c.is_whitespace() && c != ' ')), "{line:?}");
    }
});
