//! Command-line interface.
//!
//! Conventions: kubectl passes no flags to a plugin, so every kubectl-style
//! flag (`--context`, `--kubeconfig`, …) is parsed here and is global (valid
//! before or after the subcommand). Flags about Keycloak's TLS carry
//! `keycloak` in their name so they never read as kubectl's API-server flags.
//! The Keycloak settings are declared in `settings` (flag, environment
//! variable, config-file key, default, help) and become arguments here.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueHint};

use crate::cluster::KubeOptions;
use crate::output::{Asked, Format, FormatParser, Keys, ListFormat};
use crate::settings::{self, DEFAULT_TIMEOUT, Given, Setting, Source, Spec, Timeout};
use crate::to_secret::{Destination, SecretTarget};

const EXAMPLES: &str = "\
Examples:
  # bash, zsh, sh: set CLIENT_SECRET in the current shell
  eval \"$(kubectl keycloak client-secret my-test-client)\"

  # fish
  kubectl keycloak client-secret my-test-client -o fish | source

  # PowerShell
  kubectl keycloak client-secret my-test-client -o powershell | Invoke-Expression

  # several clients at once: ADMIN_CLIENT_SECRET and SYSTEM_COMPUTE_CLIENT_SECRET
  eval \"$(kubectl keycloak client-secret admin-client system-compute-client)\"

  # another cluster, another Keycloak
  kubectl keycloak --context prod client-secret my-test-client \\
      --keycloak-url https://auth.example.com/keycloak";

/// Keycloak admin helpers for Kubernetes: print a client's secret, safe to eval.
///
/// Reads the Keycloak master admin credentials from a Kubernetes Secret through
/// your current kubeconfig context, asks Keycloak for one token, and prints what
/// you asked for. Nothing is printed on stdout unless every step succeeded.
#[derive(Debug, Parser)]
#[command(name = "kubectl keycloak", bin_name = "kubectl keycloak", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub kube: KubeArgs,

    #[command(flatten)]
    pub keycloak: Given,

    /// Trace each request (method, URL, status, time) to stderr; secrets are never shown
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the secret of one or more clients, ready to eval
    #[command(after_help = CLIENT_SECRET_EXAMPLES)]
    ClientSecret(ClientSecretArgs),

    /// Print a client's own access token (client_credentials with its secret), ready to eval
    #[command(after_help = CLIENT_TOKEN_EXAMPLES)]
    ClientToken(ClientTokenArgs),

    /// Create a confidential client and print its secret
    #[command(after_help = CREATE_CLIENT_EXAMPLES)]
    CreateClient(CreateClientArgs),

    /// List the clients of a realm
    #[command(after_help = CLIENTS_EXAMPLES)]
    Clients(ClientsArgs),

    /// Show every copy of a client's secret in the cluster, drifted copies and their readers (no secrets)
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),

    /// Print an admin access token for further admin API calls
    #[command(after_help = TOKEN_EXAMPLES)]
    Token(TokenArgs),

    /// The plugin's own least-privilege admin: a service-account client with only the roles it needs
    #[command(subcommand)]
    AdminAccount(AdminAccountCommand),

    /// List every Keycloak found in the cluster: where its admin and URL come from (no secrets)
    #[command(after_help = DISCOVER_EXAMPLES)]
    Discover(DiscoverArgs),

    /// Show the effective settings and where each comes from (no secrets)
    #[command(after_help = config_help())]
    Config,

    /// Print a shell completion script, or the link that turns on `kubectl keycloak <TAB>`
    #[command(after_help = COMPLETION_EXAMPLES)]
    Completion(CompletionArgs),
}

const DISCOVER_EXAMPLES: &str = "\
Examples:
  kubectl keycloak discover
  kubectl keycloak discover -n keycloak --check
  kubectl keycloak discover -o json
  kubectl keycloak discover -o jsonpath='{.items[*].url}'

Without -n every namespace you may list is searched. Found: CSM's admin Secret,
Keycloak Operator CRs (k8s.keycloak.org), and StatefulSets or Deployments
running a Keycloak image. When several are found, commands need --keycloak.";

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Also log in to each and report OK or the error
    #[arg(long)]
    pub check: bool,

    /// Output format
    #[arg(short, long, value_parser = FormatParser::<ListFormat>::new(), default_value = "table")]
    pub output: ListFormat,
}

const COMPLETION_EXAMPLES: &str = "\
Examples:
  # kubectl keycloak <TAB> (kubectl 1.26 or newer, with kubectl's completion set up):
  # run the printed command once
  kubectl keycloak completion kubectl

  # kubectl-keycloak <TAB>
  kubectl keycloak completion bash > ~/.local/share/bash-completion/completions/kubectl-keycloak";

#[derive(Debug, Args)]
pub struct CompletionArgs {
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// What `completion` prints for: a shell's script for `kubectl-keycloak`, or
/// the link command that gives kubectl's own completion the plugin's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    /// kubectl's completion (any shell): the command linking kubectl_complete-keycloak to this binary
    Kubectl,
    /// bash script for kubectl-keycloak
    Bash,
    /// zsh script for kubectl-keycloak
    Zsh,
    /// fish script for kubectl-keycloak
    Fish,
    /// PowerShell script for kubectl-keycloak
    Powershell,
    /// elvish script for kubectl-keycloak
    Elvish,
}

fn config_help() -> String {
    let keys: Vec<&str> = settings::KEYCLOAK_SETTINGS.iter().map(|spec| spec.key).collect();
    format!(
        "\
Per-context defaults live in ~/.config/kubectl-keycloak/config.yaml (or ${}):

  defaults:
    realm: shasta
  contexts:
    prod:
      keycloak-url: https://auth.prod.example.com/keycloak
      keycloak-ca-file: /etc/pki/trust/anchors/platform-ca-certs.crt
      admin-secret: services/keycloak-master-admin-auth

Keys: {}.
Precedence: flag > environment variable > contexts.NAME > defaults > built-in default.",
        settings::CONFIG_PATH_ENV,
        keys.join(", ")
    )
}

/// Where a secret goes: stdout in a format, and/or a Kubernetes Secret.
#[derive(Debug, Args)]
pub struct SecretOutputArgs {
    /// Output format [default: shell; none with --to-secret]
    #[arg(short, long, value_parser = FormatParser::<Format>::new())]
    pub output: Option<Format>,

    /// Variable to set, once per CLIENT in order [default: CLIENT_SECRET for one
    /// client; for several, the clientId upper-cased with non-alphanumerics as _
    /// plus _SECRET, e.g. ADMIN_CLIENT_SECRET]
    #[arg(long = "var", value_name = "NAME")]
    pub vars: Vec<String>,

    /// Also store the secret in this Kubernetes Secret: created if absent, else
    /// only KEY (or the --keys) changes [KEY default: client-secret]; stdout stays empty unless -o is given
    /// (repeatable with --sync: each Secret named is written too)
    #[arg(long, value_name = "[NAMESPACE/]NAME[:KEY]")]
    pub to_secret: Vec<SecretTarget>,

    /// The keys --to-secret and -o secret write, each FIELD or KEY=FIELD, comma-separated; fields:
    /// client-id, client-secret, realm, issuer, token-url, keycloak-url [default: client-secret]
    #[arg(long, value_name = "[KEY=]FIELD,…")]
    pub keys: Option<Keys>,

    /// Name of the Secret -o secret prints; {clientId} stands for each client's clientId
    /// [default: {clientId}-auth, in the namespace of -n]
    #[arg(long, value_name = "[NAMESPACE/]NAME")]
    pub secret_name: Option<String>,
}

impl SecretOutputArgs {
    /// Where the secrets go, for `to_secret`.
    pub fn destination(&self, asked: Asked) -> Destination {
        Destination {
            output: self.output.clone(),
            to_secret: self.to_secret.first().cloned(),
            keys: self.keys.clone(),
            secret_name: self.secret_name.clone(),
            asked,
        }
    }
}

/// A missing-argument error whose usage line shows what the command
/// requires, not clap's default of also listing every option that was set
/// (an option set from the environment, such as `KUBECTL_KEYCLOAK_URL`,
/// would read as required).
pub fn usage_of_what_is_required(mut err: clap::Error, args: &[std::ffi::OsString]) -> clap::Error {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::MissingRequiredArgument {
        return err;
    }
    let mut command = Cli::command();
    command.build();
    let mut current = &mut command;
    for word in args.iter().skip(1).filter_map(|arg| arg.to_str()) {
        if current.find_subcommand(word).is_none() {
            continue;
        }
        current = current.find_subcommand_mut(word).expect("found above");
    }
    let missing = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::Strings(names)) => names.join(" "),
        _ => return err,
    };
    let name = current.get_bin_name().unwrap_or("kubectl keycloak").to_string();
    err.insert(ContextKind::Usage, ContextValue::StyledStr(format!("Usage: {name} {missing}").into()));
    err
}

const CLIENT_SECRET_EXAMPLES: &str = "\
Examples:
  eval \"$(kubectl keycloak client-secret my-test-client)\"
  kubectl keycloak client-secret my-test-client -o fish | source
  kubectl keycloak client-secret my-test-client -o powershell | Invoke-Expression

  # rotate: new secret in Keycloak and in the Secret the services read, in one step
  kubectl keycloak client-secret admin-client --regenerate --to-secret services/admin-client-auth

  # copy the current secret into a Kubernetes Secret (key client-secret)
  kubectl keycloak client-secret my-test-client --to-secret default/my-test-client-auth

  # the keys an application reads, renamed as it wants them
  kubectl keycloak client-secret my-app --to-secret apps/my-app-auth \\
      --keys clientID=client-id,clientSecret=client-secret,issuer

  # a Secret manifest for GitOps (nothing is written to the cluster)
  kubectl keycloak -n apps client-secret my-app -o secret | kubeseal -o yaml > my-app-auth.yaml

  # kubectl's JSONPath on the record -o json prints
  kubectl keycloak client-secret my-test-client -o jsonpath='{.clientId}:{.secret}'

  # the previous secret kept by a secret-rotation policy
  kubectl keycloak client-secret my-test-client --rotated -o raw

  # every confidential client matching a search, one Secret each
  kubectl keycloak client-secret --search system --to-secret 'services/{clientId}-auth'

  # rotate and bring every copy in the cluster along, restarting their readers
  kubectl keycloak client-secret admin-client --regenerate --sync --restart --dry-run

  # policy: rotate every secret older than 90 days, with its copies
  kubectl keycloak client-secret --all --older-than 90d --regenerate --sync";

#[derive(Debug, Args)]
pub struct ClientSecretArgs {
    #[command(flatten)]
    pub which: ClientSelection,

    #[command(flatten)]
    pub out: SecretOutputArgs,

    #[command(flatten)]
    pub action: SecretAction,

    /// Also update every copy of the secret in the cluster (Secrets holding its current value,
    /// see `audit`), each only in the keys that held it; drifted copies are reported, not changed
    #[arg(long)]
    pub sync: bool,

    /// With --sync: restart the Deployments, StatefulSets and DaemonSets that read the copies
    /// (as kubectl rollout restart does)
    #[arg(long, requires = "sync")]
    pub restart: bool,

    /// With --sync: print the plan (Secrets and keys, workloads) on stderr and change nothing
    #[arg(long, requires = "sync")]
    pub dry_run: bool,

    /// With --search or --all and --regenerate: only the clients whose secret is older than AGE
    /// (e.g. 90d, 12h, 2w; Keycloak 18+ records when a secret was made)
    #[arg(long, value_name = "AGE")]
    pub older_than: Option<Age>,

    /// Do not ask before changing anything (required when stdin is not a terminal)
    #[arg(short, long)]
    pub yes: bool,
}

/// `--older-than`: an age such as `90d`, `12h` or `2w` (days of 24 hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Age {
    pub text: String,
    pub seconds: i64,
}

impl std::str::FromStr for Age {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let invalid = || "use e.g. 90d, 12h or 2w".to_string();
        let span: jiff::Span = text.trim().parse().map_err(|_| invalid())?;
        let total = span.total((jiff::Unit::Second, jiff::SpanRelativeTo::days_are_24_hours())).map_err(|_| invalid())?;
        if total < 1.0 {
            return Err(invalid());
        }
        Ok(Age { text: text.trim().to_string(), seconds: total as i64 })
    }
}

const AUDIT_EXAMPLES: &str = "\
Examples:
  kubectl keycloak audit admin-client
  kubectl keycloak audit --all -o wide
  kubectl keycloak audit --search system -o json
  kubectl keycloak audit --all -o jsonpath='{.items[?(@.drifted[0])].clientId}'

A Secret is a copy of a client's secret when one of its keys holds the current
value; it claims to be one when it carries kubectl-keycloak's annotations for the
client and realm, or is named CLIENT-auth with a client-id key naming the client.
A claim whose value differs is drift. Every Secret you may list is read and
compared in memory; no value is printed.";

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub which: ClientSelection,

    /// Output format
    #[arg(short, long, value_parser = FormatParser::<ListFormat>::new(), default_value = "table")]
    pub output: ListFormat,
}

/// The clients a command acts on: named, or found by `--search` or `--all`.
#[derive(Debug, Args)]
pub struct ClientSelection {
    /// clientId(s) to look up (exact match)
    #[arg(value_name = "CLIENT", required_unless_present_any = ["search", "all"], conflicts_with_all = ["search", "all"])]
    pub clients: Vec<String>,

    /// Every confidential client whose clientId contains TEXT (case-insensitive); public and
    /// bearer-only ones are skipped and counted on stderr
    #[arg(long, value_name = "TEXT", conflicts_with = "all")]
    pub search: Option<String>,

    /// Every confidential client of the realm; public and bearer-only ones are skipped and counted
    #[arg(long)]
    pub all: bool,

    /// Clients fetched per request with --search and --all
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000), hide = true)]
    pub page_size: u32,
}

/// What `client-secret` does with each client's secret: one of
/// `--regenerate`, `--rotated`, `--invalidate-rotated`, or read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretAction {
    #[default]
    Read,
    Regenerate,
    Rotated,
    InvalidateRotated,
}

impl SecretAction {
    const FLAGS: [(&'static str, SecretAction, &'static str); 3] = [
        (
            "regenerate",
            SecretAction::Regenerate,
            "Generate a new secret first; the old one stops working at once (asks on a terminal)",
        ),
        ("rotated", SecretAction::Rotated, "Print the rotated (previous) secret kept by a secret-rotation policy instead"),
        (
            "invalidate-rotated",
            SecretAction::InvalidateRotated,
            "Invalidate the rotated secret (asks on a terminal); prints nothing",
        ),
    ];
}

impl Args for SecretAction {
    fn augment_args(command: clap::Command) -> clap::Command {
        Self::FLAGS.into_iter().fold(command, |command, (flag, _, help)| {
            let others = Self::FLAGS.iter().map(|(other, ..)| *other).filter(|other| *other != flag);
            command.arg(Arg::new(flag).long(flag).action(ArgAction::SetTrue).help(help).conflicts_with_all(others))
        })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for SecretAction {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        // The flags conflict, so at most one is set.
        let set = Self::FLAGS.into_iter().find(|(flag, ..)| matches.get_flag(flag));
        Ok(set.map_or(SecretAction::Read, |(_, action, _)| action))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

const CLIENT_TOKEN_EXAMPLES: &str = "\
Examples:
  eval \"$(kubectl keycloak client-token my-service)\"
  curl -H \"Authorization: Bearer $ACCESS_TOKEN\" https://my-service.example.com/api
  kubectl keycloak client-token my-service -o json     # {\"token\", \"expiresAt\", \"scope\"}

The client needs its service account turned on (serviceAccountsEnabled).";

#[derive(Debug, Args)]
pub struct ClientTokenArgs {
    /// clientId of the client (exact match), in --realm
    #[arg(value_name = "CLIENT")]
    pub client: String,

    /// Output format
    #[arg(short, long, value_parser = FormatParser::<Format>::new(), default_value = "shell")]
    pub output: Format,

    /// Variable to set
    #[arg(long = "var", value_name = "NAME", default_value = "ACCESS_TOKEN")]
    pub var: String,
}

const CREATE_CLIENT_EXAMPLES: &str = "\
Examples:
  eval \"$(kubectl keycloak create-client my-test-client --service-account)\"
  kubectl keycloak create-client my-service --service-account --to-secret services/my-service-auth";

#[derive(Debug, Args)]
pub struct CreateClientArgs {
    /// clientId of the new client
    #[arg(value_name = "CLIENT")]
    pub client: String,

    /// Enable its service account (client_credentials grant)
    #[arg(long)]
    pub service_account: bool,

    #[command(flatten)]
    pub out: SecretOutputArgs,
}

const ADMIN_ACCOUNT_CREATE_EXAMPLES: &str = "\
Examples:
  # read-only in shasta (client-secret, clients), the account in master
  kubectl keycloak admin-account create --for-realm shasta
  # also --regenerate and create-client, in two realms
  kubectl keycloak admin-account create --for-realm shasta --for-realm other --manage
  # the account in shasta itself, with shasta's realm-management roles
  kubectl keycloak admin-account create --for-realm shasta --in-realm

Logs in once as the admin configured today. Refuses when the account's client
already exists: rotate or delete it instead. The default Secret,
services/kubectl-keycloak-admin, is the admin of every later command that
names none (--admin-secret names another).";

/// `admin-account` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminAccountCommand {
    /// Create the service-account client and store its credentials in a Secret
    #[command(after_help = ADMIN_ACCOUNT_CREATE_EXAMPLES)]
    Create(AdminAccountCreateArgs),
    /// Show the account: client, realms, roles, Secret and the secret's age (never the secret)
    Show(AdminAccountArgs),
    /// Give the account a new secret in Keycloak and in its Secret; the old one stops working
    Rotate(AdminAccountArgs),
    /// Delete the account's client and its Secret; the admin used before is the default again
    Delete(AdminAccountArgs),
}

#[derive(Debug, Args)]
pub struct AdminAccountArgs {
    /// Secret holding the account's client-id, client-secret and realm
    #[arg(long = "secret", value_name = "[NAMESPACE/]NAME", default_value = "services/kubectl-keycloak-admin")]
    pub secret: String,
}

#[derive(Debug, Args)]
pub struct AdminAccountCreateArgs {
    /// A realm the account serves (repeatable) [default: --realm]; the global --realm names one only
    #[arg(long = "for-realm", value_name = "REALM")]
    pub realms: Vec<String>,

    /// Also manage-clients: --regenerate, rotate, create-client
    #[arg(long)]
    pub manage: bool,

    /// Put the client in the (one) realm it serves, with realm-management roles, instead of master
    #[arg(long)]
    pub in_realm: bool,

    /// clientId of the account
    #[arg(long, value_name = "CLIENT", default_value = "kubectl-keycloak-admin")]
    pub client_id: String,

    #[command(flatten)]
    pub account: AdminAccountArgs,
}

const CLIENTS_EXAMPLES: &str = "\
Examples:
  kubectl keycloak clients
  kubectl keycloak clients --search system -o json

  # kubectl's JSONPath, on what -o json prints (a list: an array, also named .items)
  kubectl keycloak clients -o jsonpath='{range .[*]}{.clientId}{\"\\n\"}{end}'";

#[derive(Debug, Args)]
pub struct ClientsArgs {
    /// Only clients whose clientId contains TEXT (case-insensitive)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,

    /// Output format
    #[arg(short, long, value_parser = FormatParser::<ListFormat>::new(), default_value = "table")]
    pub output: ListFormat,

    /// Clients fetched per request
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000), hide = true)]
    pub page_size: u32,
}

const TOKEN_EXAMPLES: &str = "\
Examples:
  eval \"$(kubectl keycloak token)\"
  curl -H \"Authorization: Bearer $KEYCLOAK_TOKEN\" https://api-gw-service-nmn.local/keycloak/admin/realms/shasta/clients?clientId=x";

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Output format
    #[arg(short, long, value_parser = FormatParser::<Format>::new(), default_value = "shell")]
    pub output: Format,

    /// Variable to set
    #[arg(long = "var", value_name = "NAME", default_value = "KEYCLOAK_TOKEN")]
    pub var: String,
}

/// kubectl's own flags, with kubectl's meaning.
#[derive(Debug, Args)]
#[command(next_help_heading = "Kubernetes options")]
pub struct KubeArgs {
    /// Path to the kubeconfig file (a missing file is an error)
    #[arg(long, global = true, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The kubeconfig cluster to use
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The kubeconfig user to use
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// Username to impersonate
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,

    /// Group to impersonate (repeatable)
    #[arg(long = "as-group", global = true, value_name = "GROUP")]
    pub as_groups: Vec<String>,

    /// Namespace of Secrets and ConfigMaps named without one [default: services]; also the one
    /// namespace where Keycloak is looked for (without it: every namespace you may list)
    #[arg(short, long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Timeout for each request, to Kubernetes and Keycloak: 0 (none), 30s, 1m…
    #[arg(long, global = true, value_name = "DURATION", default_value = DEFAULT_TIMEOUT)]
    pub request_timeout: Timeout,
}

impl KubeArgs {
    /// Which kubeconfig, context, cluster and user, and whom to impersonate.
    pub fn options(&self) -> KubeOptions {
        KubeOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            cluster: self.cluster.clone(),
            user: self.user.clone(),
            as_user: self.as_user.clone(),
            as_groups: self.as_groups.clone(),
        }
    }
}

/// Flags about Keycloak's TLS and the Keycloak settings of
/// [`settings::KEYCLOAK_SETTINGS`], each with its flag and environment
/// variable, become the [`Given`] values that `settings` layers.
const INSECURE: &str = "insecure-skip-keycloak-tls-verify";

fn setting_arg(spec: &'static Spec) -> Arg {
    let mut arg = Arg::new(spec.key).long(spec.key).global(true).env(spec.env).value_name(spec.value_name).help(spec.help);
    if let Some(default) = spec.default {
        // Shown in --help; the config file still comes before it (only
        // flags and environment variables are given values).
        arg = arg.default_value(default);
    }
    if let Some(bare) = spec.bare {
        arg = arg.num_args(0..=1).default_missing_value(bare);
    }
    if let Some(hint) = spec.hint {
        arg = arg.value_hint(hint);
    }
    if !spec.choices.is_empty() {
        arg = arg.value_parser(clap::builder::PossibleValuesParser::new(spec.choices));
    }
    arg
}

impl Args for Given {
    fn augment_args(command: clap::Command) -> clap::Command {
        let command = command.next_help_heading("Keycloak options");
        settings::KEYCLOAK_SETTINGS.into_iter().fold(command, |command, spec| command.arg(setting_arg(spec))).arg(
            Arg::new(INSECURE)
                .long(INSECURE)
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Do not verify Keycloak's TLS certificate (dangerous; warns on stderr)"),
        )
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for Given {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given = Given::default();
        given.update_from_arg_matches(matches)?;
        Ok(given)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.values = settings::KEYCLOAK_SETTINGS
            .into_iter()
            .filter_map(|spec| {
                let source = match matches.value_source(spec.key)? {
                    ValueSource::CommandLine => Source::Flag,
                    ValueSource::EnvVariable => Source::Env(spec.env),
                    _ => return None,
                };
                let value = matches.get_one::<String>(spec.key)?.clone();
                Some((spec.key, Setting { value, source }))
            })
            .collect();
        self.insecure_skip_keycloak_tls_verify = matches.get_flag(INSECURE);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn ages_take_days_and_weeks() {
        let seconds = |text: &str| text.parse::<Age>().map(|age| age.seconds);
        assert_eq!(seconds("90d"), Ok(90 * 86_400));
        assert_eq!(seconds("2w"), Ok(14 * 86_400));
        assert_eq!(seconds("12h"), Ok(12 * 3600));
        for bad in ["", "0d", "soon", "-3d"] {
            assert_eq!(seconds(bad), Err("use e.g. 90d, 12h or 2w".to_string()), "{bad:?}");
        }
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("kubectl-keycloak").chain(args.iter().copied()))
    }

    #[test]
    fn kube_flags_work_before_and_after_the_subcommand() {
        let before = parse(&["--context", "a", "client-secret", "x"]).unwrap();
        let after = parse(&["client-secret", "x", "--context", "a", "--as-group", "g1", "--as-group", "g2"]).unwrap();
        assert_eq!(before.kube.context.as_deref(), Some("a"));
        assert_eq!(after.kube.context.as_deref(), Some("a"));
        assert_eq!(after.kube.as_groups, ["g1", "g2"]);
    }

    #[test]
    fn client_secret_needs_a_client_and_takes_several() {
        assert_eq!(parse(&["client-secret"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
        let cli = parse(&["client-secret", "a", "b", "-o", "json"]).unwrap();
        let Command::ClientSecret(args) = cli.command else { panic!("wrong command") };
        assert_eq!(args.which.clients, ["a", "b"]);
        assert_eq!(args.out.output, Some(Format::Json));
    }

    #[test]
    fn jsonpath_is_a_typed_format() {
        let Command::ClientSecret(args) = parse(&["client-secret", "a", "-o", "jsonpath={.secret}"]).unwrap().command else {
            panic!("wrong command")
        };
        assert!(matches!(&args.out.output, Some(Format::JsonPath(template)) if template.text() == "{.secret}"));
        let Command::Clients(args) = parse(&["clients", "--output=jsonpath-as-json={[*].clientId}"]).unwrap().command else {
            panic!("wrong command")
        };
        assert!(
            matches!(&args.output, ListFormat::JsonPath(template) if template.to_string() == "jsonpath-as-json={[*].clientId}")
        );
        for bad in [&["clients", "-o", "jsonpath={.a"][..], &["token", "-o", "jsonpath="], &["audit", "--all", "-o", "jsonpath"]]
        {
            assert_eq!(parse(bad).unwrap_err().kind(), ErrorKind::ValueValidation, "{bad:?}");
        }
        assert_eq!(parse(&["clients", "-o", "nope"]).unwrap_err().kind(), ErrorKind::InvalidValue);
    }

    #[test]
    fn format_aliases_name_the_shells() {
        for (alias, format) in
            [("bash", Format::Shell), ("zsh", Format::Shell), ("pwsh", Format::Powershell), ("env", Format::Dotenv)]
        {
            let cli = parse(&["client-secret", "a", "-o", alias]).unwrap();
            let Command::ClientSecret(args) = cli.command else { panic!("wrong command") };
            assert_eq!(args.out.output, Some(format));
        }
    }

    #[test]
    fn ca_configmap_flag_without_value_means_the_csm_configmap() {
        let cli = parse(&["client-secret", "a", "--keycloak-ca-configmap"]).unwrap();
        let given = cli.keycloak.get(&settings::CA_CONFIGMAP).unwrap();
        assert_eq!(given.value, "services/cray-configmap-ca-public-key:certificate_authority.crt");
        assert_eq!(given.source, Source::Flag);
    }

    fn action(args: &[&str]) -> SecretAction {
        let Command::ClientSecret(args) = parse(args).unwrap().command else { panic!("wrong command") };
        args.action
    }

    #[test]
    fn the_secret_action_is_one_of_its_flags() {
        assert_eq!(action(&["client-secret", "a"]), SecretAction::Read);
        assert_eq!(action(&["client-secret", "a", "--regenerate", "--yes"]), SecretAction::Regenerate);
        assert_eq!(action(&["client-secret", "a", "--rotated"]), SecretAction::Rotated);
        assert_eq!(action(&["client-secret", "a", "--invalidate-rotated"]), SecretAction::InvalidateRotated);
        for pair in
            [["--regenerate", "--rotated"], ["--rotated", "--invalidate-rotated"], ["--invalidate-rotated", "--regenerate"]]
        {
            let err = parse(&["client-secret", "a", pair[0], pair[1]]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ArgumentConflict, "{pair:?}");
        }
    }

    #[test]
    fn values_are_parsed_into_their_types() {
        let cli = parse(&["client-secret", "a", "--request-timeout", "1m30s", "--to-secret", "ns/s:k"]).unwrap();
        assert_eq!(cli.kube.request_timeout.limit(), Some(std::time::Duration::from_secs(90)));
        let Command::ClientSecret(args) = cli.command else { panic!("wrong command") };
        assert_eq!(args.out.to_secret.first().map(|target| target.to_string()).as_deref(), Some("ns/s:k"));
        assert_eq!(parse(&["token"]).unwrap().kube.request_timeout.limit(), Some(std::time::Duration::from_secs(30)));
        for bad in [
            &["--request-timeout", "soon"][..],
            &["client-secret", "a", "--to-secret", "a/b/c"],
            &["client-secret", "a", "--keys", "x=nope"],
        ] {
            let mut args = bad.to_vec();
            if args[0].starts_with("--") {
                args.insert(0, "token");
            }
            assert_eq!(parse(&args).unwrap_err().kind(), ErrorKind::ValueValidation, "{bad:?}");
        }
    }

    #[test]
    fn built_in_defaults_are_not_given_values() {
        let cli = parse(&["client-secret", "a", "--realm", "r"]).unwrap();
        assert_eq!(cli.keycloak.get(&settings::REALM).unwrap().value, "r");
        assert!(cli.keycloak.get(&settings::KEYCLOAK_URL).is_none());
        assert!(!cli.keycloak.insecure_skip_keycloak_tls_verify);
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
