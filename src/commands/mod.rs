//! The commands, one file each: `check` validates the arguments before any
//! request, `run` does the work and returns the whole stdout.

mod admin_account;
mod audit;
mod client_secret;
mod client_token;
mod clients;
mod config;
mod create_client;
mod discover;
mod sync;
mod token;

use std::io::{BufRead, IsTerminal};

use crate::cli::{Cli, Command};
use crate::complete;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::session::Session;

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
        Command::Audit(args) => with_session(cli, write, End::Session, |session| audit::run(session, args)),
        Command::Token(args) => {
            token::check(args)?;
            // The printed token is the session's: ending it would revoke it.
            with_session(cli, write, End::Keep, |session| token::run(session, args))
        }
        Command::AdminAccount(command) => {
            admin_account::check(command)?;
            // The account is managed as the admin configured before it.
            let mut context = resolve(cli)?;
            context.settings.admin_account = false;
            in_session(context, write, End::Session, |session| admin_account::run(session, command))
        }
        Command::Discover(args) => {
            let context = resolve(cli)?;
            write(&discover::run(context.kube, &context.settings, args)?)
        }
        Command::Config => {
            let context = resolve(cli)?;
            write(&config::run(context.kube, &context.config, &context.settings))
        }
        Command::Completion(args) => write(&complete::script::run(args)?),
    }
}

/// Whether the admin's session in Keycloak ends with the command.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Session,
    Keep,
}

/// One admin session for `run`; its output is written first, then the
/// session ends as it is dropped (also after a failure), so nothing waits
/// on the logout.
fn with_session(
    cli: &Cli,
    write: &dyn Fn(&str) -> Result<()>,
    end: End,
    run: impl FnOnce(&Session) -> Result<String>,
) -> Result<()> {
    in_session(resolve(cli)?, write, end, run)
}

fn in_session(
    context: Context,
    write: &dyn Fn(&str) -> Result<()>,
    end: End,
    run: impl FnOnce(&Session) -> Result<String>,
) -> Result<()> {
    let mut session = context.open_session()?;
    if end == End::Keep {
        session.keep_login();
    }
    let output = run(&session)?;
    if let Some(note) = session.note() {
        eprintln!("{note}");
    }
    write(&output)
}

fn resolve(cli: &Cli) -> Result<Context> {
    Context::resolve(&cli.kube, &cli.keycloak, cli.kube.request_timeout)
}

/// Ask on the terminal, or insist on `--yes` when there is none to ask.
/// `plan`, when given, is shown above the question on the terminal.
fn confirm(action: &str, plan: Option<&str>, warning: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::usage(format!("refusing to {action} without --yes: stdin is not a terminal to ask on")));
    }
    let mut question = action.to_string();
    question[..1].make_ascii_uppercase();
    if let Some(plan) = plan {
        eprintln!("{plan}");
    }
    eprint!("{question}?{warning} [y/N] ");
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(|err| Error::usage(format!("cannot read the answer: {err}")))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Error::usage("not confirmed; nothing was changed")),
    }
}

/// Each confidential client that `--search` or `--all` finds, page by page,
/// with progress on a terminal.
fn each_confidential(
    session: &Session,
    which: &crate::cli::ClientSelection,
    mut each: impl FnMut(crate::keycloak::ClientInfo) -> Result<()>,
) -> Result<()> {
    let mut progress = crate::progress::Progress::counting("clients read", which.page_size.into());
    for client in session.api().clients(session.realm(), which.search.as_deref(), which.page_size) {
        let client = client?;
        progress.inc();
        if client.kind() == "confidential" {
            each(client)?;
        }
    }
    Ok(())
}
