//! The words of a completion request, walked as clap would parse them:
//! which subcommand is named, which flag's value the last word is, and the
//! positional arguments so far.

use clap::{Arg, Command, CommandFactory};

use crate::cli::Cli;

/// What the words before the last one say.
#[derive(Debug, Default)]
pub struct Line {
    /// The subcommand, once named.
    pub subcommand: Option<String>,
    /// The flag (its id) whose value the last word is.
    pub pending: Option<String>,
    /// Positional arguments of the subcommand so far.
    pub positionals: Vec<String>,
}

/// The command line's definition, built (globals propagated).
pub fn command() -> Command {
    let mut command = Cli::command();
    command.build();
    command
}

/// The arguments valid at this point: the top level's (global ones
/// included) and the subcommand's own.
pub fn args_of<'a>(command: &'a Command, subcommand: Option<&str>) -> Vec<&'a Arg> {
    let mut args: Vec<&Arg> = command.get_arguments().collect();
    if let Some(sub) = subcommand.and_then(|name| command.find_subcommand(name)) {
        args.extend(sub.get_arguments().filter(|arg| !arg.is_global_set()));
    }
    args
}

/// A flag that always takes a value (`--context NAME`), not one whose
/// value is optional (`--keycloak-ca-configmap`) or absent (`--yes`).
fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values() && arg.get_num_args().is_some_and(|range| range.min_values() >= 1)
}

pub fn parse_line(command: &Command, before: &[String]) -> Line {
    let mut line = Line::default();
    let mut words = before.iter();
    let mut only_positionals = false;
    while let Some(word) = words.next() {
        let args = args_of(command, line.subcommand.as_deref());
        let mut value_follows = |arg: Option<&&Arg>| {
            if let Some(arg) = arg.filter(|arg| takes_value(arg)) {
                match words.next() {
                    Some(_) => None,
                    None => Some(arg.get_id().to_string()),
                }
            } else {
                None
            }
        };
        if only_positionals || word == "-" || !word.starts_with('-') {
            match &line.subcommand {
                None => {
                    line.subcommand = command
                        .get_subcommands()
                        .find(|sub| sub.get_name() == word || sub.get_all_aliases().any(|a| a == word))
                        .map(|sub| sub.get_name().to_string())
                }
                Some(_) => line.positionals.push(word.clone()),
            }
        } else if word == "--" {
            only_positionals = true;
        } else if let Some(long) = word.strip_prefix("--") {
            if !long.contains('=') {
                line.pending = value_follows(args.iter().find(|arg| arg.get_long() == Some(long)));
            }
        } else {
            // -o json, -ojson, -vv, -yo json
            let shorts = &word[1..];
            for (at, short) in shorts.char_indices() {
                let arg = args.iter().find(|arg| arg.get_short() == Some(short));
                if arg.is_some_and(|arg| takes_value(arg)) {
                    if at + short.len_utf8() == shorts.len() {
                        line.pending = value_follows(arg);
                    }
                    break;
                }
            }
        }
    }
    line
}
