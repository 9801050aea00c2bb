//! kubectl-keycloak: Keycloak admin helpers for Kubernetes clusters.
//!
//! The layers, bottom up (`tests/layers` checks that each imports only
//! those below it): `error`, `secret` (the redacted type secrets travel in)
//! and `trace` (`-v`) serve every layer; `cluster` (kubeconfig, exec
//! credentials, Secrets and ConfigMaps, the service proxy) → `credentials`
//! (the admin's, read from the cluster) → `keycloak` (client model, TLS,
//! HTTP, the token endpoint, the admin REST API) → `output` (formats,
//! quoting, tables, manifests: rendering only) → `settings` (flags,
//! environment, config file) → `discovery` (where Keycloak is) → `session`
//! (one login) → `to_secret` (Secrets written) → `cli` (arguments) →
//! `context` (what every front end opens) → `complete` (kubectl's shell
//! completion) → `commands` (one file each).

mod cli;
mod cluster;
mod commands;
mod complete;
mod context;
mod credentials;
mod discovery;
mod error;
mod keycloak;
mod output;
mod secret;
mod session;
mod settings;
mod to_secret;
mod trace;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::Cli;
use error::{Error, Kind};

/// Run with these arguments; print the result or one error line. Started
/// as `kubectl_complete-keycloak` (a link to this binary), answer kubectl's
/// completion request instead.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let started = std::time::Instant::now();
    let args: Vec<OsString> = args.into_iter().collect();
    if let Some((argv0, words)) = args.split_first()
        && complete::invoked_as_completer(argv0)
    {
        return complete::main(words, started);
    }
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(err) => {
            // Help and version go to stdout and succeed; usage errors exit 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { Kind::Usage.exit_code() } else { 0 });
        }
    };
    let result = Cli::from_arg_matches(&matches).map_err(|err| Error::usage(err.to_string())).and_then(|cli| {
        if cli.verbose > 0 {
            trace::enable(started);
        }
        commands::execute(&cli, &output::write_stdout)
    });
    let code = match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("kubectl-keycloak: error: {err}");
            err.kind.exit_code()
        }
    };
    trace::note(&format!("exit {code}"));
    ExitCode::from(code)
}

/// What the test suites drive directly: the renderer (eval safety) and the
/// TLS set-up (the tests' own Keycloak client).
#[doc(hidden)]
pub mod testing {
    pub use crate::keycloak::{ExtraCa, tls_config};
    pub use crate::output::{ClientFields, DEFAULT_VARIABLE, Format, Printed, render};
    pub use crate::secret::Secret;
}
