//! Running the plugin the way users do, and checking all three outputs at once.
//!
//! Every run gets a scrubbed environment: a fresh HOME, no KUBECTL_KEYCLOAK_*
//! variables from the developer's shell, and PATH led by the directory holding
//! the freshly built `kubectl-keycloak`, so `kubectl keycloak` finds it.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Condvar, Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_kubectl-keycloak");

/// A directory that outlives the test process's runs: one per test binary.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kubectl-keycloak-tests-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("home")).expect("create scratch dir");
        dir
    })
}

/// A path under the scratch dir, unique per call.
pub fn scratch_file(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    scratch_dir().join(format!("{}-{name}", N.fetch_add(1, Ordering::Relaxed)))
}

/// Passwords, tokens and client secrets the tests know of. No plugin run may
/// show any of them on stderr.
static KNOWN_SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remember a secret to look for in every later run's stderr. Short values
/// could occur in ordinary text by chance, so only those of 8+ characters
/// with some letters or digits are tracked.
pub fn register_secret(secret: &str) {
    if secret.chars().count() >= 8 && secret.chars().filter(|c| c.is_alphanumeric()).count() >= 4 {
        let mut known = KNOWN_SECRETS.lock().unwrap();
        if !known.iter().any(|k| k == secret) {
            known.push(secret.to_string());
        }
    }
}

/// Tests share one sandbox. A test that changes what every plugin run sees
/// (the default admin-account Secret) runs alone: its own runs go on, and the
/// runs of every other test wait until it is done.
struct Turns {
    shared: usize,
    alone: Option<ThreadId>,
}

static TURNS: Mutex<Turns> = Mutex::new(Turns { shared: 0, alone: None });
static TURN_ENDED: Condvar = Condvar::new();

/// Held by a test that must be the only one running the plugin.
pub struct Alone(());

/// Wait until no other plugin run is under way, then keep them waiting
/// until this is dropped. Runs from the calling thread only.
pub fn alone() -> Alone {
    let current = std::thread::current().id();
    let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    while turns.shared > 0 || turns.alone.is_some() {
        turns = TURN_ENDED.wait(turns).unwrap_or_else(|e| e.into_inner());
    }
    turns.alone = Some(current);
    Alone(())
}

impl Drop for Alone {
    fn drop(&mut self) {
        TURNS.lock().unwrap_or_else(|e| e.into_inner()).alone = None;
        TURN_ENDED.notify_all();
    }
}

/// One plugin run's turn, while it runs. Readers never wait for a test
/// that is waiting to run alone, so a test holding a spawned run can
/// always start another.
struct Shared(bool);

fn shared_turn() -> Shared {
    let current = std::thread::current().id();
    let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        match turns.alone {
            Some(owner) if owner == current => return Shared(false),
            Some(_) => turns = TURN_ENDED.wait(turns).unwrap_or_else(|e| e.into_inner()),
            None => break,
        }
    }
    turns.shared += 1;
    Shared(true)
}

impl Drop for Shared {
    fn drop(&mut self) {
        if self.0 {
            TURNS.lock().unwrap_or_else(|e| e.into_inner()).shared -= 1;
            TURN_ENDED.notify_all();
        }
    }
}

/// With KUBECTL_KEYCLOAK_TEST_VERBOSE=1 every plugin run gets `-v`: the same
/// assertions then also prove that tracing leaks nothing and changes no
/// output. Trace lines are set aside before stderr is compared.
fn verbose_pass() -> bool {
    std::env::var_os("KUBECTL_KEYCLOAK_TEST_VERBOSE").is_some_and(|v| v == "1")
}

fn is_trace_line(line: &str) -> bool {
    line.starts_with("kubectl-keycloak: trace: ")
}

pub struct Run {
    program: PathBuf,
    prefix: Vec<OsString>,
    args: Vec<OsString>,
    env: Vec<(String, Option<OsString>)>,
    stdin: Vec<u8>,
    dir: Option<PathBuf>,
    turn: Option<Shared>,
}

impl Run {
    /// `kubectl keycloak ARGS…` through the real kubectl.
    pub fn kubectl(args: &[&str]) -> Self {
        Run { program: "kubectl".into(), prefix: vec!["keycloak".into()], ..Run::direct(args) }
    }

    /// Any program (a shell evaluating the plugin's output), with the same
    /// scrubbed environment and PATH.
    pub fn program(program: &str, args: &[&str]) -> Self {
        Run { program: program.into(), ..Run::direct(args) }
    }

    /// The binary itself, for what does not involve kubectl.
    pub fn direct(args: &[&str]) -> Self {
        Run {
            program: BINARY.into(),
            prefix: Vec::new(),
            args: args.iter().map(OsString::from).collect(),
            env: Vec::new(),
            stdin: Vec::new(),
            dir: None,
            turn: None,
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.push((key.to_string(), Some(value.into())));
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.env.push((key.to_string(), None));
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_path_buf());
        self
    }

    pub fn stdin(mut self, input: &[u8]) -> Self {
        self.stdin = input.to_vec();
        self
    }

    fn is_plugin(&self) -> bool {
        self.program == Path::new(BINARY) || self.prefix.first().is_some_and(|p| p == "keycloak")
    }

    pub fn run(mut self) -> Outcome {
        let program = self.program.clone();
        let mut command = self.command();
        let started = Instant::now();
        let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&self.stdin).ok();
        drop(stdin);
        let output = child.wait_with_output().expect("wait for plugin");
        self.outcome(output, started)
    }

    /// Started with stdin closed and stdout and stderr piped, for a test that
    /// reads stdout as it comes; [`Run::finish`] checks stderr like `run`.
    pub fn spawn(&mut self) -> (std::process::Child, Instant) {
        let mut command = self.command();
        command.stdin(Stdio::null());
        let started = Instant::now();
        (command.spawn().expect("start the plugin"), started)
    }

    pub fn finish(mut self, child: std::process::Child, started: Instant) -> Outcome {
        let output = child.wait_with_output().expect("wait for plugin");
        self.outcome(output, started)
    }

    fn command(&mut self) -> Command {
        // A shell or wrapper may run the plugin too: every run takes a turn.
        if self.turn.is_none() {
            self.turn = Some(shared_turn());
        }
        if self.is_plugin() && verbose_pass() {
            self.args.push("-v".into());
        }
        let bin_dir = Path::new(BINARY).parent().expect("binary has a directory");
        let path = std::env::join_paths(
            std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .expect("PATH");
        let mut command = Command::new(&self.program);
        command
            .args(&self.prefix)
            .args(&self.args)
            .env_clear()
            .env("PATH", path)
            .env("HOME", scratch_dir().join("home"))
            .env("RUST_BACKTRACE", "0")
            .env("LANG", "C.UTF-8");
        for key in ["KUBECONFIG", "KUBECTL_KEYCLOAK_URL", "KUBECTL_KEYCLOAK_CA_FILE", "TMPDIR"] {
            if let Some(value) = std::env::var_os(key) {
                command.env(key, value);
            }
        }
        for (key, value) in &self.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        command
    }

    fn outcome(&mut self, output: std::process::Output, started: Instant) -> Outcome {
        self.turn = None;
        let raw_stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        // Every run's stderr: the plugin's own, or that of a shell, strace or
        // terminal wrapping it. Not stdout: that is where secrets belong, and
        // where a shell test echoes the value it evaluated.
        assert_no_leak(&raw_stderr);
        let stderr = if verbose_pass() {
            raw_stderr.lines().filter(|l| !is_trace_line(l)).map(|l| format!("{l}\n")).collect()
        } else {
            raw_stderr.clone()
        };
        Outcome {
            description: format!("{} {:?}", self.program.display(), self.prefix.iter().chain(&self.args).collect::<Vec<_>>()),
            code: output.status.code().unwrap_or(-1),
            stdout_bytes: output.stdout.clone(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr,
            raw_stderr,
            elapsed: started.elapsed(),
        }
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub description: String,
    pub code: i32,
    pub stdout_bytes: Vec<u8>,
    pub stdout: String,
    /// stderr without `-v` trace lines.
    pub stderr: String,
    pub raw_stderr: String,
    pub elapsed: Duration,
}

/// No known secret and nothing shaped like a JWT (every Keycloak token starts
/// `eyJ`, base64 of `{"`) may reach stderr. Checked on every run, so also
/// when the plugin runs inside `bash -c 'eval "$(kubectl keycloak …)"'`.
pub fn assert_no_leak(stderr: &str) {
    assert!(!stderr.contains("eyJ"), "a token-like string on stderr:\n{stderr}");
    for secret in KNOWN_SECRETS.lock().unwrap().iter() {
        assert!(!stderr.contains(secret.as_str()), "a known secret leaked to stderr:\n{stderr}");
    }
}

impl Outcome {
    fn show(&self) -> String {
        format!(
            "{}\n--- exit {} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.description, self.code, self.elapsed, self.stdout, self.stderr
        )
    }

    /// Exit 0 and a quiet stderr.
    pub fn success(self) -> Self {
        assert!(self.code == 0 && self.stderr.is_empty(), "expected success with empty stderr:\n{}", self.show());
        self
    }

    /// Exit 0 and stderr exactly this one line: a note or a warning that
    /// goes with a successful run.
    pub fn success_noting(self, line: &str) -> Self {
        assert!(
            self.code == 0 && self.stderr == format!("{line}\n"),
            "expected exit 0 and stderr exactly\n  {line}\n{}",
            self.show()
        );
        self
    }

    /// The failure contract, exactly: this exit code, nothing on stdout, and
    /// stderr holding this one line and nothing else. `line` is the whole
    /// line a user reads, `kubectl-keycloak: error: ` included.
    pub fn fails_with(self, code: i32, line: &str) -> Self {
        let actual = self.error_line(code, line);
        assert!(actual == line, "expected stderr exactly:\n  expected: {line}\n    actual: {actual}\n{}", self.show());
        self.report_fault();
        self
    }

    /// [`Outcome::fails_with`] for a line that carries a dependency's or the
    /// OS's words for the cause (rustls, kube, the system's error texts):
    /// what the plugin itself writes before and after them exactly, and of
    /// the cause only that it names `cause`, compared without case, spaces
    /// or punctuation, so that a dependency rewording its message does not
    /// fail the test for nothing. `after` is the hint, `; ` included, or "".
    pub fn fails_with_cause(self, code: i32, before: &str, cause: &str, after: &str) -> Self {
        let shown = format!("{before}…{cause}…{after}");
        let actual = self.error_line(code, &shown);
        let middle = actual
            .strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
            .unwrap_or_else(|| panic!("expected the line to be\n  {before}<cause>{after}\nactual:\n  {actual}\n{}", self.show()));
        let words = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
        assert!(
            !words(cause).is_empty() && words(middle).contains(&words(cause)),
            "expected the cause {middle:?} to name {cause:?}\n{}",
            self.show()
        );
        self.report_fault();
        self
    }

    /// The one line on stderr of a run that failed with `code` and printed
    /// nothing on stdout; `expected` is shown when it did not.
    fn error_line(&self, code: i32, expected: &str) -> &str {
        assert!(
            expected.starts_with("kubectl-keycloak: error: ") && !expected.contains('\n'),
            "an expected error is one line starting \"kubectl-keycloak: error: \": {expected:?}"
        );
        let actual = self.stderr.strip_suffix('\n').unwrap_or(&self.stderr);
        assert!(
            self.code == code && self.stdout.is_empty() && !actual.contains('\n'),
            "expected exit {code}, empty stdout and stderr exactly one line:\n  expected: {expected}\n    actual: {actual}\n{}",
            self.show()
        );
        assert!(self.stderr.ends_with('\n'), "the error line ends with a newline:\n{}", self.show());
        actual
    }

    /// With KUBECTL_KEYCLOAK_FAULT_REPORT=FILE, each checked failure appends
    /// a JSON line (test, exit code, message, time) for tests/bench/reliability.
    fn report_fault(&self) {
        let Some(path) = std::env::var_os("KUBECTL_KEYCLOAK_FAULT_REPORT") else {
            return;
        };
        let record = serde_json::json!({
            "test": std::thread::current().name().unwrap_or("?"),
            "code": self.code,
            "message": self.stderr.trim_end(),
            "ms": self.elapsed.as_secs_f64() * 1000.0,
        });
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("fault report file");
        writeln!(file, "{record}").expect("write fault report");
    }

    pub fn stdout_is(self, expected: &str) -> Self {
        assert_eq!(self.stdout, expected, "{}", self.show());
        self
    }

    /// A value clap refused at parse time: exit 2, empty stdout, and
    /// `line` first on stderr (clap adds a line on `--help` after it).
    pub fn refused_at_parse(self, line: &str) -> Self {
        assert_eq!((self.code, self.stdout.as_str()), (2, ""), "{}", self.show());
        assert_eq!(self.stderr.lines().next(), Some(line), "{}", self.show());
        self
    }

    /// stderr exactly (for output that is not the plugin's error line,
    /// such as clap's usage errors).
    pub fn stderr_is(self, expected: &str) -> Self {
        assert_eq!(self.stderr, expected, "{}", self.show());
        self
    }

    /// The `-v` trace: each line's time since the run started (ms) and its
    /// message. Every trace line must carry its time.
    pub fn traces(&self) -> Vec<(f64, &str)> {
        self.raw_stderr
            .lines()
            .filter_map(|line| line.strip_prefix("kubectl-keycloak: trace: "))
            .map(|rest| {
                let (at, message) = rest
                    .strip_prefix('[')
                    .and_then(|r| r.split_once(" ms] "))
                    .unwrap_or_else(|| panic!("a trace line without its time: {rest:?}"));
                (at.parse().unwrap_or_else(|_| panic!("a trace time that is not a number: {rest:?}")), message)
            })
            .collect()
    }

    pub fn within(self, limit: Duration) -> Self {
        assert!(self.elapsed <= limit, "took {:?}, more than {limit:?}:\n{}", self.elapsed, self.show());
        self
    }
}
