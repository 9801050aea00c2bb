//! Quoting for the shells whose output is evaluated: each function makes
//! the shell set exactly the given value and run nothing else, for every
//! string Keycloak can store (NUL aside, which callers refuse first).

/// Single quotes make every byte literal in POSIX shells; a `'` is written as
/// `'\''` (close, escaped quote, reopen).
pub fn posix_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// In fish single quotes only `\'` and `\\` are escapes; everything else,
/// newlines included, is literal.
pub fn fish_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// PowerShell single-quoted strings treat U+0027 and the curly quotes
/// U+2018–U+201B alike; each is escaped by doubling. Control characters and
/// line separators are emitted as `[char]0xNN` terms joined with `+`, so the
/// whole assignment stays on one line (a piped `Invoke-Expression` receives
/// each line separately).
pub fn powershell_quote(value: &str) -> String {
    let mut out = String::from("'");
    let mut open = true;
    for c in value.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            if open {
                out.push('\'');
                open = false;
            }
            out.push_str(&format!(" + [char]0x{:04X}", c as u32));
            continue;
        }
        if !open {
            out.push_str(" + '");
            open = true;
        }
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    if open {
        out.push('\'');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quote_escapes_single_quotes_only() {
        assert_eq!(posix_quote("it's $(x) `y` \\ \"z\""), r#"'it'\''s $(x) `y` \ "z"'"#);
        assert_eq!(posix_quote(""), "''");
        assert_eq!(posix_quote("a\nb"), "'a\nb'");
    }

    #[test]
    fn fish_quote_escapes_quote_and_backslash() {
        assert_eq!(fish_quote(r"a'b\c$d"), r"'a\'b\\c$d'");
    }

    #[test]
    fn powershell_doubles_every_kind_of_single_quote() {
        assert_eq!(powershell_quote("a'b"), "'a''b'");
        for q in ['\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'] {
            assert_eq!(powershell_quote(&format!("x{q}y")), format!("'x{q}{q}y'"));
        }
        // Double quotes, `$` and backticks are literal in single quotes.
        assert_eq!(powershell_quote("\"$x`"), "'\"$x`'");
    }

    #[test]
    fn powershell_keeps_line_breaks_out_of_the_line() {
        assert_eq!(powershell_quote("a\nb"), "'a' + [char]0x000A + 'b'");
        assert_eq!(powershell_quote("\r"), "'' + [char]0x000D");
        assert_eq!(powershell_quote("x\u{2028}"), "'x' + [char]0x2028");
    }
}
