//! Failures, their exit codes, and the one line a user reads on stderr.
//!
//! Every error names what failed and what to try. Messages never carry a
//! password, token or client secret: the code that builds them only ever
//! passes names, URLs, status codes and server error descriptions.

use std::fmt;
use std::process::ExitCode;

/// The class of a failure. Each class has its own exit code, documented in
/// the README; scripts may rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad arguments or settings (clap uses 2 for its own usage errors too).
    Usage,
    /// No usable kubeconfig, context or credentials (including exec plugins).
    Kubeconfig,
    /// The Kubernetes API server could not be reached or rejected our identity.
    KubeApi,
    /// RBAC forbids reading (or writing) a Kubernetes object.
    Forbidden,
    /// A named Kubernetes object (Secret, ConfigMap) is missing or lacks a key.
    NotFound,
    /// Keycloak could not be reached: connection refused, DNS, timeout.
    Unreachable,
    /// TLS to Keycloak failed verification.
    Tls,
    /// Keycloak rejected the admin credentials or token.
    Auth,
    /// The realm does not exist.
    RealmNotFound,
    /// No client has that clientId.
    ClientNotFound,
    /// The client exists but has no secret (public or bearer-only).
    NoSecret,
    /// Keycloak (or something in front of it) answered something unusable.
    BadResponse,
    /// The value cannot be written safely in the chosen output format.
    Render,
    /// The object to create already exists.
    AlreadyExists,
    /// A Kubernetes write failed after Keycloak was changed.
    PartialFailure,
    /// This Keycloak does not offer the feature (e.g. secret rotation).
    Unsupported,
    /// The client has no service account: no client_credentials grant.
    NoServiceAccount,
    /// A local I/O failure: writing to stdout, or starting the I/O runtime.
    Io,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Usage => 2,
            Kind::Kubeconfig => 3,
            Kind::KubeApi => 4,
            Kind::Forbidden => 5,
            Kind::NotFound => 6,
            Kind::Unreachable => 7,
            Kind::Tls => 8,
            Kind::Auth => 9,
            Kind::RealmNotFound => 10,
            Kind::ClientNotFound => 11,
            Kind::NoSecret => 12,
            Kind::BadResponse => 13,
            Kind::Render => 14,
            Kind::AlreadyExists => 15,
            Kind::PartialFailure => 16,
            Kind::Unsupported => 17,
            Kind::NoServiceAccount => 18,
            Kind::Io => 1,
        }
    }
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    message: String,
    hint: Option<String>,
    /// A host name did not resolve: the one failure after which reaching
    /// Keycloak another way is safe to try (see `session`).
    unresolved_host: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), hint: None, unresolved_host: false }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// One more thing to try, after the hint already given.
    pub fn add_hint(self, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        match self.hint.clone() {
            Some(first) => self.hint(format!("{first}; {hint}")),
            None => self.hint(hint),
        }
    }

    /// Mark a failure to resolve a host name.
    pub fn unresolved_host(mut self) -> Self {
        self.unresolved_host = true;
        self
    }

    pub fn is_unresolved_host(&self) -> bool {
        self.unresolved_host
    }

    /// The caller knows what to try: add its hint to errors of this kind.
    /// Lower layers report what happened; only the caller knows which
    /// setting named the object.
    pub fn hint_for(self, kind: Kind, hint: impl Into<String>) -> Self {
        if self.kind == kind { self.hint(hint) } else { self }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::new(Kind::Usage, message)
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.exit_code())
    }
}

impl fmt::Display for Error {
    /// One line, always: server messages may hold newlines, and a second line
    /// would break the contract that stderr carries exactly one error line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", one_line(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "; {}", one_line(hint))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Collapse whitespace runs (including newlines) into single spaces and drop
/// control characters, so text from servers cannot forge extra lines or
/// terminal escapes.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if !c.is_control() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// An error and its sources as one line, skipping sources whose text the
/// outer message already contains. Only the first line of each is kept:
/// later lines are context such as a parser's quote of the input, which for
/// a kubeconfig may hold a token.
pub fn chain(err: &dyn std::error::Error) -> String {
    let first_line = |err: &dyn std::error::Error| err.to_string().lines().next().unwrap_or_default().trim_end().to_string();
    let mut text = first_line(err);
    let mut source = err.source();
    while let Some(inner) = source {
        let next = first_line(inner);
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = inner.source();
    }
    one_line(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_a_single_line_even_for_multiline_server_text() {
        let err = Error::new(Kind::BadResponse, "server said:\n  line two\r\n\x1b[31mred").hint("try\nthis");
        assert_eq!(err.to_string(), "server said: line two [31mred; try this");
    }

    #[test]
    fn exit_codes_are_distinct_per_kind() {
        let kinds = [
            Kind::Usage,
            Kind::Kubeconfig,
            Kind::KubeApi,
            Kind::Forbidden,
            Kind::NotFound,
            Kind::Unreachable,
            Kind::Tls,
            Kind::Auth,
            Kind::RealmNotFound,
            Kind::ClientNotFound,
            Kind::NoSecret,
            Kind::BadResponse,
            Kind::Render,
            Kind::AlreadyExists,
            Kind::PartialFailure,
            Kind::Unsupported,
            Kind::NoServiceAccount,
            Kind::Io,
        ];
        let mut codes: Vec<u8> = kinds.iter().map(|k| k.exit_code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
        assert!(!codes.contains(&0));
    }
}
