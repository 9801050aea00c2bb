//! kubectl-keycloak: Keycloak admin helpers for Kubernetes clusters.
//!
//! The data path, one module each: `cli` (arguments) → `settings` and
//! `config_file` (effective values) → `cluster` and `exec_credential`
//! (kubeconfig, Secrets) → `admin` (credentials) → `session` (one login) →
//! `tls` and `keycloak` (admin REST API) → the commands (`client_secret`,
//! `create_client`, `clients`, `token`) → `render` (formats and quoting) →
//! `error` (messages and exit codes).

pub mod admin;
pub mod cli;
pub mod client_secret;
pub mod clients;
pub mod cluster;
pub mod config_file;
pub mod create_client;
pub mod error;
pub mod exec_credential;
pub mod keycloak;
pub mod render;
pub mod session;
pub mod settings;
pub mod tls;
pub mod token;
pub mod trace;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::{Cli, Command};
use cluster::Kube;
use config_file::ConfigFile;
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
    if let Command::Completion { shell } = &cli.command {
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut Cli::command(), "kubectl-keycloak", &mut script);
        return Ok(String::from_utf8(script).expect("completion scripts are UTF-8"));
    }
    check_arguments(&cli.command)?;
    let kube = Kube::load(&settings::kube_options(cli)?)?;
    if let Some(context) = &kube.context {
        trace::note(&format!("kube context {context}"));
    }
    let config = ConfigFile::load()?;
    let settings = Settings::resolve(cli, matches, kube.context.as_deref(), &config)?;
    if let Command::Config = &cli.command {
        return Ok(show_config(kube.context.as_deref(), &config, &settings));
    }
    let session = Session::open(kube, &settings)?;
    match &cli.command {
        Command::ClientSecret(args) => client_secret::run(&session, args),
        Command::CreateClient(args) => create_client::run(&session, args),
        Command::Clients(args) => clients::run(&session, args),
        Command::Token(args) => token::run(&session, args),
        Command::Config | Command::Completion { .. } => unreachable!("handled above"),
    }
}

/// Argument errors that need no cluster are reported before any request.
fn check_arguments(command: &Command) -> Result<()> {
    match command {
        Command::ClientSecret(args) => {
            render::variable_names(&args.clients, &args.out.vars)?;
            client_secret::check(args)
        }
        Command::CreateClient(args) => render::variable_names(std::slice::from_ref(&args.client), &args.out.vars).map(drop),
        Command::Token(args) => render::validate_variable(&args.var),
        Command::Clients(_) | Command::Config | Command::Completion { .. } => Ok(()),
    }
}

/// `kubectl keycloak config`: every setting, its value and its source.
fn show_config(context: Option<&str>, config: &ConfigFile, settings: &Settings) -> String {
    let file_state = if config.found { "" } else { " (not found)" };
    let mut rows = vec![
        ("context", context.unwrap_or("(in-cluster)").to_string(), "kubeconfig".to_string()),
        ("config-file", format!("{}{file_state}", config.path.display()), String::new()),
    ];
    rows.extend(settings.describe());
    let width = rows.iter().map(|(name, ..)| name.len()).max().unwrap_or(0);
    let value_width = rows.iter().map(|(_, value, _)| value.chars().count()).max().unwrap_or(0);
    rows.iter()
        .map(|(name, value, source)| {
            let line = format!("{name:<width$}   {value:<value_width$}   {source}");
            format!("{}\n", line.trim_end())
        })
        .collect()
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
