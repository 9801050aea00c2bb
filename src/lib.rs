//! kubectl-keycloak: Keycloak admin helpers for Kubernetes clusters.
//!
//! The data path, one module each: `cli` (arguments) → `settings` (effective
//! values) → `cluster` (kubeconfig, Secrets; `exec_credential`) → `admin` (credentials) → `tls`
//! and `keycloak` (admin REST API) → `render` (formats and quoting) →
//! `error` (messages and exit codes).

pub mod admin;
pub mod cli;
pub mod client_secret;
pub mod cluster;
pub mod error;
pub mod exec_credential;
pub mod keycloak;
pub mod render;
pub mod session;
pub mod settings;
pub mod tls;
pub mod trace;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::{Cli, Command};
use error::{Error, Kind, Result};
use session::Session;
use settings::Settings;

/// Run with these arguments; print the result or one error line.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(err) => {
            // Help and version go to stdout and succeed; usage errors exit 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { Kind::Usage.exit_code() } else { 0 });
        }
    };
    let result = Cli::from_arg_matches(&matches)
        .map_err(|err| Error::usage(err.to_string()))
        .and_then(|cli| execute(&cli, &matches));
    match result.and_then(|output| write_stdout(&output)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind == Kind::Output && is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kubectl-keycloak: error: {err}");
            err.exit_code()
        }
    }
}

fn execute(cli: &Cli, matches: &clap::ArgMatches) -> Result<String> {
    if cli.verbose > 0 {
        trace::enable();
    }
    match &cli.command {
        Command::Completion { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "kubectl-keycloak", &mut script);
            Ok(String::from_utf8(script).expect("completion scripts are UTF-8"))
        }
        Command::ClientSecret(args) => {
            // Variable names are checked before any network call.
            render::variable_names(&args.clients, &args.vars)?;
            let settings = Settings::resolve(cli, matches)?;
            let session = Session::open(&settings)?;
            client_secret::run(&session, args)
        }
    }
}

/// The whole output, written once, after every call has succeeded.
fn write_stdout(output: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|err| Error::new(Kind::Output, format!("cannot write to stdout: {err}")).with_io(err.kind()))
}

fn is_broken_pipe(err: &Error) -> bool {
    err.io_kind() == Some(std::io::ErrorKind::BrokenPipe)
}
