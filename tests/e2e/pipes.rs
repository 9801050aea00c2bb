//! Pipes and signals: a reader that goes away, a full disk, Ctrl-C.

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BINARY, Run};

#[test]
fn head_c1_gets_one_byte_and_nobody_panics() {
    let out = Run::program("bash", &["-c", "set -o pipefail; kubectl keycloak client-secret my-test-client | head -c1"]).run();
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "e", ""), "{out:?}");
}

#[test]
fn a_reader_that_already_left_is_not_an_error() {
    Run::program("bash", &["-c", "set -o pipefail; kubectl keycloak client-secret my-test-client | true"])
        .run()
        .success()
        .stdout_is("");
}

#[test]
fn a_failing_stdout_is_one_error_line() {
    Run::program("bash", &["-c", "kubectl keycloak client-secret my-test-client > /dev/full"]).run().fails_with_cause(
        1,
        "kubectl-keycloak: error: cannot write to stdout: ",
        "No space left on device",
        "",
    );
}

#[test]
fn ctrl_c_ends_a_hung_request_promptly() {
    // A child inherits an ignored SIGINT (a background job of a shell
    // without job control, `nohup … &`): then Ctrl-C cannot be tested here.
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let ignored = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).and_then(|m| u64::from_str_radix(m.trim(), 16).ok());
    assert!(
        ignored.is_none_or(|mask| mask & (1 << 1) == 0),
        "SIGINT is ignored in the test process (inherited from how it was started): run the tests from a shell with job control"
    );
    // A Keycloak that accepts and never answers (a fake: no real server does).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/keycloak", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<TcpStream> = listener.incoming().take(2).filter_map(Result::ok).collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    let mut child = Command::new(BINARY)
        .args(["client-secret", "my-test-client", "--keycloak-url", &url, "--request-timeout", "60s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "ended before the signal");
    let sent = Instant::now();
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(1), "took {:?} after SIGINT", sent.elapsed());
    assert!(output.stdout.is_empty() && output.stderr.is_empty(), "{output:?}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(output.status.signal(), Some(2), "{output:?}");
}
