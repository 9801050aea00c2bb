//! `kubectl_complete-keycloak`: kubectl's plugin completion protocol.
//!
//! kubectl 1.26 and newer completes `kubectl keycloak …<TAB>` by running the
//! executable `kubectl_complete-keycloak` from PATH with the words typed after
//! `keycloak`, the last one being the word to complete (empty for a new
//! word). It reads one candidate per line (`candidate<TAB>description`), and
//! a last line `:<n>`, a cobra `ShellCompDirective`; the completer's stderr
//! goes to the user's terminal. This binary answers in that role when it runs
//! under that name (a link to it; `kubectl keycloak completion kubectl`
//! prints the command that makes it).
//!
//! What is completed: subcommands, flags and the values clap knows (`-o`,
//! the shells of `completion`) from the command line's own definition;
//! `--context`, `--cluster`, `--user` from the kubeconfig; `-n` from the API
//! server (one page); the clientIds of `client-secret` from Keycloak, through
//! the same settings, discovery and login as the command itself would use.
//!
//! Rules: the whole answer is bounded by [`DEADLINE`]; any failure, slowness
//! included, gives no candidates, exit 0 and nothing on stderr
//! ([`trace::quiet`]). Only names are printed, never a secret, and nothing is
//! ever written or changed: the only Keycloak call is a search of clients.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::{Arg, ArgMatches, Command, FromArgMatches, ValueHint};

use crate::cli::KubeArgs;
use crate::cluster::{Kube, KubeconfigNames};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::settings::Given;
use crate::trace;

pub(crate) mod line;
pub mod script;

use line::{args_of, command, parse_line};

/// The name kubectl looks for on PATH.
pub const COMPLETER_NAME: &str = "kubectl_complete-keycloak";

/// The bound on one completion, from start to the last byte written.
pub const DEADLINE: Duration = Duration::from_secs(2);

/// What the network may use of [`DEADLINE`]: the rest is for starting up and
/// writing the answer.
const NETWORK_BUDGET: Duration = Duration::from_millis(1700);

/// At most this many namespaces and clients are offered (one request each).
const NAMESPACE_LIMIT: u32 = 500;
const CLIENT_LIMIT: u32 = 100;

/// cobra's `ShellCompDirectiveDefault`: the shell may complete file names.
const FILES: u8 = 0;
/// cobra's `ShellCompDirectiveNoFileComp`.
const NO_FILES: u8 = 4;
/// cobra's `ShellCompDirectiveNoSpace`: the value goes on (`jsonpath=`).
const NO_SPACE: u8 = 2;

/// Whether the program was started as the completer (argv[0]'s file name,
/// `.exe` aside).
pub fn invoked_as_completer(argv0: &OsString) -> bool {
    Path::new(argv0).file_stem().is_some_and(|stem| stem == COMPLETER_NAME)
}

/// Answer one completion request: `words` are the arguments after argv[0].
pub fn main(words: &[OsString], started: Instant) -> ExitCode {
    trace::quiet();
    let words: Option<Vec<String>> = words.iter().map(|w| w.to_str().map(str::to_string)).collect();
    let answer = match words {
        Some(words) if !words.is_empty() => within(started + DEADLINE - Duration::from_millis(100), words),
        _ => Answer::none(),
    };
    // The answer is small; a failed write (kubectl gone) changes nothing.
    let _ = crate::output::write_stdout(&answer.render());
    ExitCode::SUCCESS
}

/// Compute the answer on a second thread; past `deadline`, answer nothing.
/// The thread is not waited for: the process ends when `main` returns.
fn within(deadline: Instant, words: Vec<String>) -> Answer {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(answer(&words, deadline));
    });
    receive.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_else(|_| Answer::none())
}

#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    /// `(value, description)`.
    candidates: Vec<(String, String)>,
    directive: u8,
}

impl Answer {
    fn none() -> Self {
        Answer { candidates: Vec::new(), directive: NO_FILES }
    }

    fn files() -> Self {
        Answer { candidates: Vec::new(), directive: FILES }
    }

    /// Those of `values` that start with `prefix`, with `insert` put before
    /// each (`--output=` when completing `--output=j`).
    fn matching(values: impl IntoIterator<Item = (String, String)>, prefix: &str, insert: &str) -> Self {
        let candidates = values
            .into_iter()
            .filter(|(value, _)| value.starts_with(prefix) && printable(value))
            .map(|(value, help)| (format!("{insert}{value}"), one_line(&help)))
            .collect();
        Answer { candidates, directive: NO_FILES }
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        for (value, help) in &self.candidates {
            out.push_str(value);
            if !help.is_empty() {
                out.push('\t');
                out.push_str(help);
            }
            out.push('\n');
        }
        out.push_str(&format!(":{}\n", self.directive));
        out
    }
}

/// A candidate must be one line without a tab (the protocol's separators).
fn printable(value: &str) -> bool {
    !value.is_empty() && !value.chars().any(char::is_control)
}

fn one_line(help: &str) -> String {
    help.lines().next().unwrap_or_default().chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The answer for these words (the last one is being completed).
pub fn answer(words: &[String], deadline: Instant) -> Answer {
    let command = command();
    let (current, before) = words.split_last().expect("at least one word");
    let line = parse_line(&command, before);
    let args = args_of(&command, line.subcommand.as_deref());
    if let Some(id) = &line.pending {
        return value(&command, before, &args, id, current, "", deadline);
    }
    if let Some((flag, typed)) = current.strip_prefix("--").and_then(|rest| rest.split_once('=')) {
        return match args.iter().find(|arg| arg.get_long() == Some(flag)) {
            Some(arg) => value(&command, before, &args, arg.get_id().as_str(), typed, &format!("--{flag}="), deadline),
            None => Answer::none(),
        };
    }
    if current.starts_with('-') {
        return flags(&args, current);
    }
    match line.subcommand.as_deref() {
        None => Answer::matching(
            command
                .get_subcommands()
                .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
                .map(|sub| (sub.get_name().to_string(), sub.get_about().map(|a| a.to_string()).unwrap_or_default())),
            current,
            "",
        ),
        Some("client-secret" | "client-token") => {
            let candidates = dynamic(deadline, || client_ids(&command, before, current));
            // Each clientId once on the line.
            let mut answer = Answer::matching(candidates, current, "");
            answer.candidates.retain(|(value, _)| !line.positionals.contains(value));
            answer
        }
        Some(sub) => {
            // The first positional of a subcommand with possible values (completion SHELL).
            let positional =
                command.find_subcommand(sub).and_then(|sub| sub.get_positionals().next()).filter(|_| line.positionals.is_empty());
            match positional {
                Some(arg) => Answer::matching(possible_values(arg), current, ""),
                None => Answer::none(),
            }
        }
    }
}

fn flags(args: &[&Arg], current: &str) -> Answer {
    let mut values = Vec::new();
    for arg in args.iter().filter(|arg| !arg.is_hide_set()) {
        let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        if let Some(long) = arg.get_long() {
            values.push((format!("--{long}"), help.clone()));
        }
        if current == "-"
            && let Some(short) = arg.get_short()
        {
            values.push((format!("-{short}"), help));
        }
    }
    values.push(("--help".to_string(), "Print help".to_string()));
    if current.starts_with("--v") {
        values.push(("--version".to_string(), "Print version".to_string()));
    }
    Answer::matching(values, current, "")
}

/// The values the definition names; `jsonpath=TEMPLATE` is offered as
/// `jsonpath=`, for the template to follow.
fn possible_values(arg: &Arg) -> Vec<(String, String)> {
    arg.get_possible_values()
        .into_iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| {
            let name = value.get_name();
            let name = name.split_once('=').map_or(name.to_string(), |(name, _)| format!("{name}="));
            (name, value.get_help().map(|h| h.to_string()).unwrap_or_default())
        })
        .collect()
}

/// Complete the value of the flag `id`.
fn value(command: &Command, before: &[String], args: &[&Arg], id: &str, typed: &str, insert: &str, deadline: Instant) -> Answer {
    let Some(arg) = args.iter().find(|arg| arg.get_id() == id) else { return Answer::none() };
    let known = possible_values(arg);
    if !known.is_empty() {
        let mut answer = Answer::matching(known, typed, insert);
        if !answer.candidates.is_empty() && answer.candidates.iter().all(|(value, _)| value.ends_with('=')) {
            answer.directive |= NO_SPACE;
        }
        return answer;
    }
    if arg.get_value_hint() == ValueHint::FilePath {
        return Answer::files();
    }
    let names = |pick: fn(KubeconfigNames) -> Vec<String>| {
        let Ok((kube, _)) = parse_args(command, before) else { return Vec::new() };
        KubeconfigNames::read(&kube.options())
            .map(pick)
            .unwrap_or_default()
            .into_iter()
            .map(|name| (name, String::new()))
            .collect()
    };
    // kubectl's own flags, named as kubectl names them.
    let values: Vec<(String, String)> = match arg.get_long() {
        Some("context") => names(|n| n.contexts),
        Some("cluster") => names(|n| n.clusters),
        Some("user") => names(|n| n.users),
        Some("namespace") => dynamic(deadline, || namespaces(command, before)),
        _ => return Answer::none(),
    };
    Answer::matching(values, typed, insert)
}

/// Run `work` (which talks to the network) within the deadline: its
/// requests get a timeout that ends before it, and any error is no
/// candidates.
fn dynamic(deadline: Instant, work: impl FnOnce() -> Result<Vec<(String, String)>>) -> Vec<(String, String)> {
    if deadline.saturating_duration_since(Instant::now()).is_zero() {
        return Vec::new();
    }
    work().unwrap_or_default()
}

/// The Kubernetes and Keycloak options typed so far (and the environment's).
fn parse_args(command: &Command, before: &[String]) -> std::result::Result<(KubeArgs, Given), clap::Error> {
    let matches: ArgMatches = command
        .clone()
        .ignore_errors(true)
        .try_get_matches_from(std::iter::once("kubectl-keycloak").chain(before.iter().map(String::as_str)))?;
    Ok((KubeArgs::from_arg_matches(&matches)?, Given::from_arg_matches(&matches)?))
}

/// The options typed so far, each request bounded by the one given but
/// never past the network budget.
fn typed_options(command: &Command, before: &[String]) -> Result<(KubeArgs, Given)> {
    let (mut kube, given) = parse_args(command, before).map_err(|err| Error::usage(err.to_string()))?;
    kube.request_timeout = kube.request_timeout.within(NETWORK_BUDGET);
    Ok((kube, given))
}

fn namespaces(command: &Command, before: &[String]) -> Result<Vec<(String, String)>> {
    let (kube, _) = typed_options(command, before)?;
    let cluster = Kube::load(&kube.options(), kube.request_timeout.limit())?.connect()?;
    Ok(cluster.namespace_names(Some(NAMESPACE_LIMIT))?.into_iter().map(|name| (name, String::new())).collect())
}

/// ClientIds starting with `prefix`: Keycloak's search (a case-insensitive
/// substring match, first page only) narrows them on the server, the prefix
/// test here makes them exact.
fn client_ids(command: &Command, before: &[String], prefix: &str) -> Result<Vec<(String, String)>> {
    let (kube, given) = typed_options(command, before)?;
    // Every TAB is a login: the session ends when it is dropped, as every
    // command's does.
    let session = Context::resolve(&kube, &given, kube.request_timeout)?.open_session()?;
    let search = (!prefix.is_empty()).then_some(prefix);
    let clients: Vec<_> =
        session.api().clients(session.realm(), search, CLIENT_LIMIT).take(CLIENT_LIMIT as usize).collect::<Result<_>>()?;
    Ok(clients
        .into_iter()
        .filter(|client| client.client_id.starts_with(prefix))
        .map(|client| (client.client_id.clone(), client.kind().to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(words: &[&str]) -> Answer {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        answer(&words, Instant::now() + DEADLINE)
    }

    fn values(answer: &Answer) -> Vec<&str> {
        answer.candidates.iter().map(|(value, _)| value.as_str()).collect()
    }

    #[test]
    fn the_name_selects_the_mode() {
        assert!(invoked_as_completer(&"/usr/local/bin/kubectl_complete-keycloak".into()));
        assert!(invoked_as_completer(&"kubectl_complete-keycloak".into()));
        assert!(invoked_as_completer(&"kubectl_complete-keycloak.exe".into()));
        assert!(!invoked_as_completer(&"/usr/local/bin/kubectl-keycloak".into()));
    }

    #[test]
    fn subcommands_with_their_descriptions() {
        let answer = complete(&[""]);
        assert_eq!(
            values(&answer),
            [
                "client-secret",
                "client-token",
                "create-client",
                "clients",
                "audit",
                "token",
                "admin-account",
                "discover",
                "config",
                "completion"
            ]
        );
        assert_eq!(answer.directive, NO_FILES);
        assert!(answer.render().starts_with("client-secret\tPrint the secret of one or more clients, ready to eval\n"));
        assert!(answer.render().ends_with("\n:4\n"));
        assert_eq!(
            values(&complete(&["c"])),
            ["client-secret", "client-token", "create-client", "clients", "config", "completion"]
        );
        assert_eq!(values(&complete(&["--context", "x", "to"])), ["token"]);
    }

    #[test]
    fn flag_values_from_the_definition() {
        let formats =
            ["shell", "fish", "powershell", "dotenv", "json", "yaml", "raw", "secret", "jsonpath=", "jsonpath-as-json="];
        assert_eq!(values(&complete(&["client-secret", "a", "-o", ""])), formats);
        assert_eq!(values(&complete(&["client-secret", "a", "--output", "j"])), ["json", "jsonpath=", "jsonpath-as-json="]);
        assert_eq!(
            values(&complete(&["client-secret", "a", "--output=j"])),
            ["--output=json", "--output=jsonpath=", "--output=jsonpath-as-json="]
        );
        assert_eq!(
            values(&complete(&["clients", "-o", ""])),
            ["table", "wide", "json", "yaml", "jsonpath=", "jsonpath-as-json="]
        );
        assert_eq!(complete(&["clients", "-o", ""]).directive, NO_FILES);
        let template = complete(&["clients", "-o", "jsonp"]);
        assert_eq!((values(&template), template.directive), (vec!["jsonpath=", "jsonpath-as-json="], NO_FILES | NO_SPACE));
        assert_eq!(values(&complete(&["completion", ""])), ["kubectl", "bash", "zsh", "fish", "powershell", "elvish"]);
        assert_eq!(values(&complete(&["completion", "z"])), ["zsh"]);
        assert!(values(&complete(&["completion", "zsh", ""])).is_empty());
    }

    #[test]
    fn flags_of_the_subcommand_and_global_ones() {
        let flags = complete(&["client-secret", "--re"]);
        assert_eq!(values(&flags), ["--request-timeout", "--realm", "--regenerate", "--restart"]);
        assert_eq!(values(&complete(&["clients", "--re"])), ["--request-timeout", "--realm"]);
        assert!(values(&complete(&["-"])).contains(&"-n"));
        assert!(!values(&complete(&["clients", "--"])).contains(&"--page-size"), "hidden flags stay hidden");
    }

    #[test]
    fn words_that_are_values_are_not_taken_for_commands() {
        // "token" is the value of --realm here, not the subcommand.
        assert_eq!(values(&complete(&["--realm", "token", "cli"])), ["client-secret", "client-token", "clients"]);
        assert_eq!(values(&complete(&["-vv", "-n", "ns", "to"])), ["token"]);
        assert_eq!(values(&complete(&["client-secret", "x", "-yo", ""])).len(), 10);
        // An optional value does not swallow the next word.
        assert_eq!(values(&complete(&["--keycloak-ca-configmap", "to"])), ["token"]);
    }

    #[test]
    fn files_only_where_a_file_is_asked_for() {
        assert_eq!(complete(&["--kubeconfig", ""]).directive, FILES);
        assert_eq!(complete(&["--keycloak-ca-file", ""]).directive, FILES);
        assert_eq!(complete(&["token", "--var", ""]), Answer::none());
        assert_eq!(complete(&["create-client", ""]), Answer::none());
    }

    #[test]
    fn kubeconfig_names() {
        let dir = std::env::temp_dir().join(format!("kk-complete-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config");
        std::fs::write(
            &file,
            "apiVersion: v1\nkind: Config\ncurrent-context: one\n\
             clusters:\n- name: c1\n  cluster: {server: 'https://127.0.0.1:1'}\n\
             users:\n- name: u1\n  user: {token: t}\n\
             contexts:\n- name: one\n  context: {cluster: c1, user: u1}\n- name: two\n  context: {cluster: c1, user: u1}\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        assert_eq!(values(&complete(&["--kubeconfig", path, "--context", ""])), ["one", "two"]);
        assert_eq!(values(&complete(&["--kubeconfig", path, "--context=t"])), ["--context=two"]);
        assert_eq!(values(&complete(&["--kubeconfig", path, "--cluster", ""])), ["c1"]);
        assert_eq!(values(&complete(&["--kubeconfig", path, "--user", ""])), ["u1"]);
        assert_eq!(complete(&["--kubeconfig", "/nonexistent/kubeconfig", "--context", ""]), Answer::none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn candidates_never_break_the_protocol() {
        let answer =
            Answer::matching([("a\tb".to_string(), String::new()), ("ok".to_string(), "two\nlines".to_string())], "", "");
        assert_eq!(answer.render(), "ok\ttwo\n:4\n");
    }
}
