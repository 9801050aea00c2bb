//! What works without any cluster: help, version, completions, argument and
//! kubeconfig errors. Each asserts exit code, stdout and stderr together.

mod common;

use common::{Run, scratch_file};

/// The line the plugin prints for a refused variable name.
fn invalid_variable(name: &str) -> String {
    format!("kubectl-keycloak: error: invalid variable name {name:?}: use letters, digits and _, not starting with a digit")
}

#[test]
fn help_speaks_as_a_kubectl_plugin_and_shows_eval_examples() {
    let out = Run::direct(&["client-secret", "--help"]).run().success();
    assert!(out.stdout.contains("Usage: kubectl keycloak client-secret"), "{out:?}");
    assert!(out.stdout.contains("eval \"$(kubectl keycloak client-secret my-test-client)\""));
    assert!(out.stdout.contains("| source"));
    assert!(out.stdout.contains("Invoke-Expression"));
    assert!(out.stdout.contains("--insecure-skip-keycloak-tls-verify"));
}

/// The lines under each `Heading:` line of a help text, by heading.
fn help_sections(help: &str) -> Vec<(&str, Vec<&str>)> {
    let mut sections: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in help.lines() {
        match line.strip_suffix(':').filter(|h| !h.is_empty() && !h.starts_with(' ')) {
            Some(heading) => sections.push((heading, Vec::new())),
            None => {
                if let Some((_, lines)) = sections.last_mut() {
                    lines.push(line);
                }
            }
        }
    }
    sections
}

/// `name  description` rows of a Commands section, a wrapped description
/// joined back into one line.
fn command_rows<'a>(lines: &[&'a str]) -> Vec<(&'a str, String)> {
    let mut rows: Vec<(&str, String)> = Vec::new();
    for line in lines.iter().take_while(|l| !l.is_empty()) {
        let row = line.strip_prefix("  ").filter(|r| !r.starts_with(' ')).and_then(|r| r.split_once("  "));
        match (row, rows.last_mut()) {
            (Some((name, description)), _) => rows.push((name, description.trim().to_string())),
            (None, Some((_, description))) => *description = format!("{description} {}", line.trim()),
            (None, None) => panic!("a command description before any command: {line:?}"),
        }
    }
    rows
}

/// The long flags (`--name`) that start the option lines of a section.
fn long_flags<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|line| {
            let option = line.trim_start();
            let indent = line.len() - option.len();
            let option = option.strip_prefix("-").filter(|_| indent <= 6)?;
            let long = option.split([' ', '[', '<']).find(|word| word.starts_with("-"))?;
            Some(long.trim_start_matches('-').trim_end_matches(',').trim_end_matches("...")).filter(|l| !l.is_empty())
        })
        .collect()
}

#[test]
fn help_through_the_real_kubectl_lists_every_command_and_the_flag_headings() {
    let out = Run::kubectl(&["--help"]).run().success();
    let sections = help_sections(&out.stdout);
    let headings: Vec<&str> = sections.iter().map(|(heading, _)| *heading).collect();
    assert_eq!(headings, ["Commands", "Options", "Kubernetes options", "Keycloak options", "Examples"], "{}", out.stdout);
    assert!(out.stdout.contains("\nUsage: kubectl keycloak [OPTIONS] <COMMAND>\n"), "{}", out.stdout);
    let section = |name: &str| &sections.iter().find(|(heading, _)| *heading == name).unwrap().1;

    let commands = command_rows(section("Commands"));
    let ours: Vec<(&str, &str)> = commands.iter().filter(|(name, _)| *name != "help").map(|(n, d)| (*n, d.as_str())).collect();
    assert_eq!(
        ours,
        [
            ("client-secret", "Print the secret of one or more clients, ready to eval"),
            ("client-token", "Print a client's own access token (client_credentials with its secret), ready to eval"),
            ("create-client", "Create a confidential client and print its secret"),
            ("clients", "List the clients of a realm"),
            ("audit", "Show every copy of a client's secret in the cluster, drifted copies and their readers (no secrets)"),
            ("token", "Print an admin access token for further admin API calls"),
            ("admin-account", "The plugin's own least-privilege admin: a service-account client with only the roles it needs"),
            ("discover", "List every Keycloak found in the cluster: where its admin and URL come from (no secrets)"),
            ("config", "Show the effective settings and where each comes from (no secrets)"),
            ("completion", "Print a shell completion script, or the link that turns on `kubectl keycloak <TAB>`"),
        ],
        "{}",
        out.stdout
    );
    // clap's own `help` command, in its own words, comes last.
    assert_eq!(commands.last().map(|(name, _)| *name), Some("help"), "{}", out.stdout);

    assert_eq!(long_flags(section("Options")), ["help", "version"], "{}", out.stdout);
    assert_eq!(
        long_flags(section("Kubernetes options")),
        ["kubeconfig", "context", "cluster", "user", "as", "as-group", "namespace", "request-timeout"],
        "{}",
        out.stdout
    );
    let keycloak = long_flags(section("Keycloak options"));
    for flag in [
        "keycloak-url",
        "realm",
        "admin-realm",
        "admin-secret",
        "admin-user",
        "admin-user-key",
        "admin-password-key",
        "keycloak",
        "keycloak-ca-file",
        "keycloak-ca-configmap",
        "insecure-skip-keycloak-tls-verify",
    ] {
        assert!(keycloak.contains(&flag), "--{flag} is not under Keycloak options: {keycloak:?}\n{}", out.stdout);
    }
    let every_flag: Vec<&str> =
        sections.iter().filter(|(heading, _)| *heading != "Examples").flat_map(|(_, lines)| long_flags(lines)).collect();
    assert!(every_flag.contains(&"verbose"), "{}", out.stdout);
}

#[test]
fn version_prints_the_cargo_version() {
    Run::direct(&["--version"]).run().success().stdout_is(&format!("kubectl keycloak {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn completion_scripts_parse_in_their_shells() {
    for (shell, check) in [("bash", vec!["bash", "-n"]), ("zsh", vec!["zsh", "-n"]), ("fish", vec!["fish", "--no-execute"])] {
        let out = Run::direct(&["completion", shell]).run().success();
        assert!(out.stdout.contains("client-secret"), "{shell}");
        let file = scratch_file(&format!("completion.{shell}"));
        std::fs::write(&file, &out.stdout).unwrap();
        let status = std::process::Command::new(check[0]).args(&check[1..]).arg(&file).status().unwrap();
        assert!(status.success(), "{shell} rejects its completion script");
    }
}

#[test]
fn without_a_subcommand_the_short_help_goes_to_stderr() {
    let help = Run::direct(&["-h"]).run().success().stdout;
    assert!(help.contains("Usage: kubectl keycloak [OPTIONS] <COMMAND>"), "{help}");
    let out = Run::direct(&[]).run().stdout_is("").stderr_is(&help);
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn a_client_is_required() {
    let out = Run::direct(&["client-secret"]).run().stdout_is("");
    assert_eq!(out.code, 2, "{out:?}");
    // clap words the error; the argument's name and the usage line are ours.
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(lines[0].starts_with("error: ") && lines[0].contains("required"), "{out:?}");
    assert!(lines.iter().any(|line| line.trim() == "<CLIENT>..."), "{out:?}");
    assert!(lines.contains(&"Usage: kubectl keycloak client-secret <CLIENT>..."), "{out:?}");
}

#[test]
fn hostile_variable_names_are_refused_before_any_request() {
    for bad in ["1A", "A-B", "A;touch /tmp/x", "$(id)", "A B", ""] {
        Run::direct(&["client-secret", "c", "--var", bad])
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .run()
            .fails_with(2, &invalid_variable(bad));
    }
}

#[test]
fn one_var_per_client() {
    Run::direct(&["client-secret", "a", "b", "--var", "X"])
        .run()
        .fails_with(2, "kubectl-keycloak: error: 1 --var given for 2 clients; give one --var per client, in the same order");
}

#[test]
fn bad_values_are_usage_errors_at_parse_time() {
    let refused = [
        (
            &["--request-timeout", "soon"][..],
            "error: invalid value 'soon' for '--request-timeout <DURATION>': use e.g. 30s, 1m30s, 500ms or 0",
        ),
        (
            &["--to-secret", "ns/"],
            "error: invalid value 'ns/' for '--to-secret <[NAMESPACE/]NAME[:KEY]>': \"ns/\" is not [NAMESPACE/]NAME",
        ),
        (
            &["--keys", "nope"],
            "error: invalid value 'nope' for '--keys <[KEY=]FIELD,…>': --keys: unknown field \"nope\"; the fields are client-id, client-secret, realm, issuer, token-url, keycloak-url",
        ),
    ];
    for (args, line) in refused {
        let mut all = vec!["client-secret", "a"];
        all.extend_from_slice(args);
        // No kubeconfig: the value is refused before anything is read.
        Run::direct(&all).env("KUBECONFIG", "/nonexistent/kubeconfig").run().refused_at_parse(line);
    }
}

/// Every command with structured output takes kubectl's `-o jsonpath=`;
/// the template is parsed with the arguments, so a bad one is a usage
/// error before the kubeconfig is read.
#[test]
fn jsonpath_templates_are_checked_at_parse_time() {
    let invalid = |value: &str, why: &str| format!("error: invalid value '{value}' for '--output <OUTPUT>': {why}");
    let refused = [
        (&["clients", "-o", "jsonpath={.a"][..], invalid("jsonpath={.a", "error parsing jsonpath {.a, unclosed action")),
        (&["client-secret", "a", "-o", "jsonpath"], invalid("jsonpath", "template format specified but no template given")),
        (
            &["token", "-o", "jsonpath-as-json={end}"],
            invalid("jsonpath-as-json={end}", "error parsing jsonpath {end}, not in range, nothing to end"),
        ),
        (
            &["audit", "--all", "--output=jsonpath={[?(@.a<>1)]}"],
            invalid("jsonpath={[?(@.a<>1)]}", "error parsing jsonpath {[?(@.a<>1)]}, unrecognized filter operator <>"),
        ),
        (
            &["discover", "-ojsonpath={hello}"],
            invalid("jsonpath={hello}", "error parsing jsonpath {hello}, unrecognized identifier hello"),
        ),
        (
            &["client-token", "a", "-o", "jsonpath={.x[0}"],
            invalid("jsonpath={.x[0}", "error parsing jsonpath {.x[0}, unterminated array"),
        ),
    ];
    for (args, line) in refused {
        Run::direct(args).env("KUBECONFIG", "/nonexistent/kubeconfig").run().refused_at_parse(&line);
    }
    let out = Run::direct(&["clients", "-o", "jsonpath-file=x"]).env("KUBECONFIG", "/nonexistent/kubeconfig").run();
    assert_eq!((out.code, out.stdout.as_str()), (2, ""), "{out:?}");
    assert!(
        out.stderr.contains("[possible values: table, wide, json, yaml, jsonpath=TEMPLATE, jsonpath-as-json=TEMPLATE]"),
        "{out:?}"
    );
}

#[test]
fn kubeconfig_list_of_missing_files_means_no_context() {
    let missing = scratch_file("missing-a").display().to_string() + ":" + &scratch_file("missing-b").display().to_string();
    Run::direct(&["client-secret", "my-test-client"]).env("KUBECONFIG", missing).run().fails_with_cause(
        3,
        "kubectl-keycloak: error: unusable kubeconfig: ",
        "current context",
        "; pass --context or run kubectl config use-context",
    );
}

#[test]
fn explicit_kubeconfig_that_does_not_exist_is_an_error() {
    let missing = scratch_file("nope");
    let path = missing.display();
    Run::direct(&["client-secret", "my-test-client", "--kubeconfig"]).arg(&missing).run().fails_with_cause(
        3,
        &format!("kubectl-keycloak: error: cannot read kubeconfig {path}: "),
        "No such file or directory",
        "",
    );
}

#[test]
fn kubeconfig_that_is_not_yaml() {
    let file = scratch_file("garbage");
    std::fs::write(&file, "this: is: not [yaml\n\t{").unwrap();
    // Where the YAML breaks is the cause a user needs; the parser's words are its own.
    Run::direct(&["client-secret", "my-test-client"]).env("KUBECONFIG", &file).run().fails_with_cause(
        3,
        &format!("kubectl-keycloak: error: cannot read kubeconfig {}: ", file.display()),
        "line 1 column 9",
        "",
    );
}

#[test]
fn unknown_context_names_the_fix() {
    let file = scratch_file("kubeconfig");
    std::fs::write(&file, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n").unwrap();
    Run::direct(&["client-secret", "x", "--context", "nope"]).env("KUBECONFIG", &file).run().fails_with_cause(
        3,
        "kubectl-keycloak: error: unusable kubeconfig: ",
        "nope",
        "; check the names with kubectl config get-contexts",
    );
}

#[test]
fn single_client_operations_refuse_several_clients_before_any_request() {
    let line = "kubectl-keycloak: error: --regenerate, --rotated and --invalidate-rotated take exactly one CLIENT";
    for flag in ["--regenerate", "--rotated", "--invalidate-rotated"] {
        Run::direct(&["client-secret", "a", "b", flag]).env("KUBECONFIG", "/nonexistent/kubeconfig").run().fails_with(2, line);
    }
    Run::direct(&["client-secret", "a", "b", "--to-secret", "ns/s"])
        .env("KUBECONFIG", "/nonexistent")
        .run()
        .fails_with(2, "kubectl-keycloak: error: several clients would be written to Secret ns/s; put {clientId} in --to-secret");
}

#[test]
fn search_and_all_refuse_what_needs_named_clients_before_any_request() {
    let refused: [(&[&str], &str); 4] = [
        (
            &["--search", "x", "--regenerate"],
            "--regenerate, --rotated and --invalidate-rotated act on one CLIENT at a time; --regenerate with --search or --all needs --older-than",
        ),
        (
            &["--all", "--var", "X"],
            "--var names one variable per CLIENT; with --search and --all each is named after its clientId",
        ),
        (
            &["--all", "--to-secret", "apps/one"],
            "\"apps/one\" would name one Secret for every client found; put {clientId} in it, e.g. 'apps/{clientId}-auth'",
        ),
        (
            &["--search", "x", "-o", "secret", "--secret-name", "one"],
            "\"one\" would name one Secret for every client found; put {clientId} in it, e.g. 'apps/{clientId}-auth'",
        ),
    ];
    for (args, message) in refused {
        let mut all = vec!["client-secret"];
        all.extend_from_slice(args);
        Run::direct(&all).env("KUBECONFIG", "/nonexistent").run().fails_with(2, &format!("kubectl-keycloak: error: {message}"));
    }
    // clap: a CLIENT or --search or --all, and not two of them.
    for args in [&["client-secret", "a", "--all"][..], &["client-secret", "--search", "x", "--all"], &["client-secret"]] {
        let out = Run::direct(args).run();
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn token_and_create_client_check_their_variable_names_first() {
    Run::direct(&["token", "--var", "9x"]).env("KUBECONFIG", "/nonexistent").run().fails_with(2, &invalid_variable("9x"));
    Run::direct(&["create-client", "c", "--var", "a-b"])
        .env("KUBECONFIG", "/nonexistent")
        .run()
        .fails_with(2, &invalid_variable("a-b"));
}

#[test]
fn invalidate_rotated_refuses_output_and_to_secret_before_any_request() {
    let line = "kubectl-keycloak: error: --invalidate-rotated prints and stores nothing; drop -o and --to-secret";
    Run::direct(&["client-secret", "a", "--invalidate-rotated", "-o", "raw"])
        .env("KUBECONFIG", "/nonexistent")
        .run()
        .fails_with(2, line);
    Run::direct(&["client-secret", "a", "--invalidate-rotated", "--to-secret", "ns/s"])
        .env("KUBECONFIG", "/nonexistent")
        .run()
        .fails_with(2, line);
}

#[test]
fn the_leak_check_reads_the_stderr_of_a_shell_wrapping_the_plugin() {
    let canary = "harness-canary-secret-0123456789";
    common::register_secret(canary);
    // Stdout is where a shell test prints the value it evaluated: allowed.
    Run::program("bash", &["-c", r#"kubectl keycloak --version >/dev/null && printf %s "$CANARY""#])
        .env("CANARY", canary)
        .run()
        .success()
        .stdout_is(canary);
    let on_stderr = std::panic::catch_unwind(|| {
        Run::program("bash", &["-c", r#"kubectl keycloak --version >/dev/null && printf %s "$CANARY" >&2"#])
            .env("CANARY", canary)
            .run()
    });
    assert!(on_stderr.is_err(), "a known secret on a shell's stderr went unnoticed");
}

#[test]
fn a_kubeconfig_syntax_error_does_not_echo_its_token() {
    let token = "sha256~kubeconfig-token-0123456789abcdef";
    common::register_secret(token);
    let file = scratch_file("kubeconfig-with-token");
    std::fs::write(&file, format!("apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: {token}: [broken\n"))
        .unwrap();
    // run() fails the test if the token reaches stderr.
    let out = Run::direct(&["client-secret", "my-test-client"]).env("KUBECONFIG", &file).run();
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.lines().count()), (3, "", 1), "{out:?}");
}

#[test]
fn a_missing_client_shows_only_what_is_required_even_with_settings_in_the_environment() {
    for (args, missing) in [(&["client-secret"][..], "<CLIENT>..."), (&["--context", "prod", "create-client"][..], "<CLIENT>")] {
        let out = Run::direct(args)
            .env("KUBECTL_KEYCLOAK_URL", "https://sso.example.test/keycloak")
            .env("KUBECTL_KEYCLOAK_CA_FILE", "/nonexistent/ca.crt")
            .run();
        assert_eq!((out.code, out.stdout.as_str()), (2, ""), "{out:?}");
        let command = args.last().unwrap();
        assert_eq!(
            out.stderr,
            format!(
                "error: the following required arguments were not provided:\n  {missing}\n\n\
                 Usage: kubectl keycloak {command} {missing}\n\nFor more information, try '--help'.\n"
            ),
            "{out:?}"
        );
    }
}
