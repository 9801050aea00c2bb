//! The commands, one file each: `check` validates the arguments before any
//! request, `run` does the work and returns the whole stdout.

mod client_secret;
mod client_token;
mod clients;
mod completion;
mod config;
mod create_client;
mod discover;
mod token;

use crate::cli::{Cli, Command};
use crate::cluster::Kube;
use crate::error::Result;
use crate::session::Session;
use crate::settings::{self, ConfigFile, Settings};
use crate::trace;

/// Run the command and hand its whole output to `write`, once, after every
/// step succeeded.
pub fn execute(cli: &Cli, write: &dyn Fn(&str) -> Result<()>) -> Result<()> {
    match &cli.command {
        Command::ClientSecret(args) => {
            client_secret::check(args)?;
            with_session(cli, write, End::Session, |session| client_secret::run(session, args))
        }
        Command::ClientToken(args) => {
            client_token::check(args)?;
            // The token printed is the client's own, from its own login.
            with_session(cli, write, End::Session, |session| client_token::run(session, args))
        }
        Command::CreateClient(args) => {
            create_client::check(args)?;
            with_session(cli, write, End::Session, |session| create_client::run(session, args))
        }
        Command::Clients(args) => with_session(cli, write, End::Session, |session| clients::run(session, args)),
        Command::Token(args) => {
            token::check(args)?;
            // The printed token is the session's: ending it would revoke it.
            with_session(cli, write, End::Keep, |session| token::run(session, args))
        }
        Command::Discover(args) => {
            let (kube, _, settings) = resolve(cli)?;
            write(&discover::run(kube, &settings, args)?)
        }
        Command::Config => {
            let (kube, config, settings) = resolve(cli)?;
            write(&config::run(kube, &config, &settings))
        }
        Command::Completion(args) => write(&completion::run(args)?),
    }
}

/// Whether the admin's session in Keycloak ends with the command.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Session,
    Keep,
}

/// One admin session for `run`; its output is written first, then the
/// session ends (also after a failure), so nothing waits on the logout.
fn with_session(
    cli: &Cli,
    write: &dyn Fn(&str) -> Result<()>,
    end: End,
    run: impl FnOnce(&Session) -> Result<String>,
) -> Result<()> {
    let (kube, _, settings) = resolve(cli)?;
    let session = Session::open(kube, &settings)?;
    let result = run(&session).and_then(|output| write(&output));
    if end == End::Session {
        session.keycloak.log_out();
    }
    result
}

/// The kubeconfig, the config file and the settings they select.
fn resolve(cli: &Cli) -> Result<(Kube, ConfigFile, Settings)> {
    let timeout = settings::parse_timeout(&cli.kube.request_timeout)?;
    let started = std::time::Instant::now();
    let kube = Kube::load(&cli.kube, timeout)?;
    let context = kube.context.as_ref().map(|context| format!(", context {context}")).unwrap_or_default();
    trace::step(&format!("kubeconfig read{context}"), started.elapsed());
    let config = ConfigFile::load()?;
    let settings = Settings::resolve(&cli.keycloak, &cli.kube, timeout, kube.context.as_deref(), &config)?;
    Ok((kube, config, settings))
}
