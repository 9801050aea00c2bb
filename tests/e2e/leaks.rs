//! No secret in any child process's argv: the plugin runs under strace and
//! every execve of the whole process tree is read.

use crate::common::{Run, scratch_file};
use crate::sandbox::sandbox;

fn execs_of(args: &[&str]) -> (String, Vec<String>) {
    let trace = scratch_file("execve.trace");
    let trace_arg = trace.display().to_string();
    // Every execve is logged with its whole argv, failed ones too.
    let mut strace = vec!["-f", "-qq", "-s", "65535", "-e", "trace=execve", "-o", &trace_arg, "kubectl", "keycloak"];
    strace.extend_from_slice(args);
    let out = Run::program("strace", &strace).run().success();
    let log = std::fs::read_to_string(&trace).unwrap();
    // Failed attempts (`env` searching PATH) start nothing.
    let started = log.lines().filter(|l| l.contains("execve(") && !l.contains("= -1 "));
    (out.stdout, started.map(str::to_string).collect())
}

fn program_of(line: &str) -> String {
    let path = line.split('"').nth(1).unwrap_or("");
    path.rsplit('/').next().unwrap_or(path).to_string()
}

#[test]
fn no_process_receives_a_secret_in_argv() {
    let secret = sandbox().secret_of("shasta", "my-test-client");
    for context in ["sandbox", "sandbox-exec"] {
        let (stdout, execs) = execs_of(&["client-secret", "my-test-client", "--context", context]);
        assert_eq!(stdout, format!("export CLIENT_SECRET='{secret}'\n"));
        for line in &execs {
            crate::common::assert_no_leak(line);
            assert!(!line.contains(&secret), "client secret in argv: {line}");
        }
        let programs: Vec<String> = execs.iter().map(|l| program_of(l)).collect();
        // The exec credential plugin (a bash script) runs once; nothing else.
        let expected: &[&str] = match context {
            "sandbox-exec" => &["kubectl", "kubectl-keycloak", "exec-credential", "bash"],
            _ => &["kubectl", "kubectl-keycloak"],
        };
        assert_eq!(programs, expected, "processes started");
    }
}
