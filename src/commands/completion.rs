//! `completion SHELL`: a shell completion script for `kubectl-keycloak`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionArgs};

pub fn run(args: &CompletionArgs) -> String {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "kubectl-keycloak", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}
