//! The commands, one file each: `check` validates the arguments before any
//! request, `run` does the work and returns the whole stdout.

mod client_secret;
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

pub fn execute(cli: &Cli) -> Result<String> {
    match &cli.command {
        Command::ClientSecret(args) => {
            client_secret::check(args)?;
            client_secret::run(&open_session(cli)?, args)
        }
        Command::CreateClient(args) => {
            create_client::check(args)?;
            create_client::run(&open_session(cli)?, args)
        }
        Command::Clients(args) => clients::run(&open_session(cli)?, args),
        Command::Token(args) => {
            token::check(args)?;
            token::run(&open_session(cli)?, args)
        }
        Command::Discover(args) => {
            let (kube, _, settings) = resolve(cli)?;
            discover::run(kube, &settings, args)
        }
        Command::Config => {
            let (kube, config, settings) = resolve(cli)?;
            Ok(config::run(kube, &config, &settings))
        }
        Command::Completion(args) => completion::run(args),
    }
}

/// The kubeconfig, the config file and the settings they select.
fn resolve(cli: &Cli) -> Result<(Kube, ConfigFile, Settings)> {
    let timeout = settings::parse_timeout(&cli.kube.request_timeout)?;
    let kube = Kube::load(&cli.kube, timeout)?;
    if let Some(context) = &kube.context {
        trace::note(&format!("kube context {context}"));
    }
    let config = ConfigFile::load()?;
    let settings = Settings::resolve(&cli.keycloak, &cli.kube, timeout, kube.context.as_deref(), &config)?;
    Ok((kube, config, settings))
}

fn open_session(cli: &Cli) -> Result<Session> {
    let (kube, _, settings) = resolve(cli)?;
    Session::open(kube, &settings)
}
