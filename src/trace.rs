//! `-v` request tracing on stderr.
//!
//! Only methods, URLs, statuses, sizes and times are printed. URLs never
//! carry credentials in this program, but user-supplied base URLs might hold
//! `user:password@`, so that part is masked. Every line starts with the time
//! since the run started (`[12.3 ms]`), so a trace shows where a run's time
//! goes, including what overlaps.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);
static STARTED: OnceLock<Instant> = OnceLock::new();
static QUIET: AtomicBool = AtomicBool::new(false);

/// Nothing at all on stderr from here on: warnings are dropped and exec
/// credential plugins get no terminal. Shell completion sets it, since
/// whatever it writes to stderr lands on the user's command line.
pub fn quiet() {
    QUIET.store(true, Ordering::Relaxed);
}

pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// A warning that goes with a run (unless [`quiet`]).
pub fn warn(text: &str) {
    if !is_quiet() {
        eprintln!("kubectl-keycloak: warning: {text}");
    }
}

/// Trace from here on; times are counted from `started`.
pub fn enable(started: Instant) {
    let _ = STARTED.set(started);
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// One HTTP exchange with Keycloak.
pub fn http(method: &str, url: &str, status: Option<u16>, bytes: Option<usize>, elapsed: Duration) {
    if !enabled() {
        return;
    }
    let status = status.map_or_else(|| "failed".to_string(), |s| s.to_string());
    let size = bytes.map(|b| format!(", {b} bytes")).unwrap_or_default();
    line(&format!("{method} {} -> {status} ({}{size})", mask_userinfo(url), millis(elapsed)));
}

/// One Kubernetes API call.
pub fn kube(method: &str, url: &str, result: &Result<(), &kube::Error>, elapsed: Duration) {
    if !enabled() {
        return;
    }
    let status = match result {
        Ok(()) => "200".to_string(),
        Err(kube::Error::Api(status)) => status.code.to_string(),
        Err(_) => "failed".to_string(),
    };
    line(&format!("{method} {} -> {status} ({})", mask_userinfo(url), millis(elapsed)));
}

/// A free-form note, e.g. which settings were used.
pub fn note(text: &str) {
    if enabled() {
        line(text);
    }
}

/// A step that took `elapsed`, e.g. reading the OS trust store.
pub fn step(text: &str, elapsed: Duration) {
    if enabled() {
        line(&format!("{text} ({})", millis(elapsed)));
    }
}

fn line(text: &str) {
    let since_start = STARTED.get().map_or(Duration::ZERO, Instant::elapsed);
    eprintln!("kubectl-keycloak: trace: [{}] {text}", millis(since_start));
}

fn millis(elapsed: Duration) -> String {
    format!("{:.1} ms", elapsed.as_secs_f64() * 1000.0)
}

/// `https://user:pass@host/x` → `https://***@host/x`.
pub fn mask_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let authority_end = url[scheme_end..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    match url[scheme_end..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..scheme_end], &url[scheme_end + at..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_masked() {
        assert_eq!(mask_userinfo("https://u:p@h:1/k?x=@"), "https://***@h:1/k?x=@");
        assert_eq!(mask_userinfo("https://h/k?x=a@b"), "https://h/k?x=a@b");
        assert_eq!(mask_userinfo("not a url"), "not a url");
    }
}
