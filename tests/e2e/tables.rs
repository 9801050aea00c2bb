//! The default tables as a user sees them in a terminal 80 and 120 columns
//! wide (COLUMNS), and `-o wide`, against the golden files in tests/golden/.
//! `tests/golden/regenerate` rewrites those files from the sandbox; review
//! the diff like code. Digits are masked when comparing: the sandbox's
//! ports are random, and every port has five digits, so alignment is not.

use std::path::PathBuf;

use crate::common::Run;

/// Name, then the command. Only what the sandbox seeds: tests add clients
/// and Secrets of their own meanwhile.
const CASES: &[(&str, &[&str])] = &[
    ("discover", &["discover"]),
    ("discover-wide", &["discover", "-o", "wide"]),
    ("clients", &["clients", "--search", "system-compute"]),
    ("clients-wide", &["clients", "--search", "system-compute", "-o", "wide"]),
    ("audit", &["audit", GOLDEN_CLIENT]),
    ("audit-wide", &["audit", GOLDEN_CLIENT, "-o", "wide"]),
    ("config", &["config"]),
    ("admin-account-show", &["admin-account", "show", "--secret", GOLDEN_ACCOUNT]),
];

/// The audited client, seeded by this test alone: its copies as
/// `copies::seed` lays them out, its secret made 100 days old.
const GOLDEN_CLIENT: &str = "kk-golden-client";
/// The account `admin-account show` shows, made anew by this test.
const GOLDEN_ACCOUNT: &str = "kk-golden-account";

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.txt"))
}

/// Digits as `#`, a UUID (a client's ID) as `#`s of its length, and how
/// long ago something was written (`(12s ago)`, the last column) as `(# ago)`.
fn masked(text: &str) -> String {
    let text: String = text
        .lines()
        .map(|line| match (line.rfind(" ("), line.ends_with(" ago)")) {
            (Some(open), true) => format!("{} (# ago)\n", &line[..open]),
            _ => format!("{line}\n"),
        })
        .collect();
    let uuid = |word: &str| {
        word.len() == 36
            && word.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
    };
    let words = text.split(' ').map(|word| if uuid(word) { "#".repeat(36) } else { word.to_string() });
    words.collect::<Vec<_>>().join(" ").chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect()
}

/// The run: discovery's view (no URL or CA from the environment), and a
/// config file path that is the same on every machine.
fn table(args: &[&str], columns: Option<&str>) -> String {
    let mut run = Run::kubectl(args)
        .env_remove("KUBECTL_KEYCLOAK_URL")
        .env_remove("KUBECTL_KEYCLOAK_CA_FILE")
        .env("KUBECTL_KEYCLOAK_CONFIG", "/etc/kubectl-keycloak/none.yaml");
    if let Some(columns) = columns {
        run = run.env("COLUMNS", columns);
    }
    let out = run.run();
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
}

#[test]
fn default_tables_fit_80_and_120_columns_and_wide_shows_everything() {
    let regenerate = std::env::var_os("KUBECTL_KEYCLOAK_REGENERATE_GOLDEN").is_some();
    crate::copies::seed_as(GOLDEN_CLIENT.to_string());
    crate::copies::age_secret(GOLDEN_CLIENT, 100);
    let _ = Run::kubectl(&["admin-account", "delete", "--secret", GOLDEN_ACCOUNT]).run();
    let account = ["admin-account", "create", "--client-id", GOLDEN_ACCOUNT, "--secret", GOLDEN_ACCOUNT];
    assert_eq!(Run::kubectl(&account).run().code, 0);
    crate::common::register_secret(crate::sandbox::secret_data("services", GOLDEN_ACCOUNT)["client-secret"].as_str().unwrap());
    let mut differ = Vec::new();
    for (name, args) in CASES {
        let wide = name.ends_with("-wide");
        let widths: &[Option<&str>] = if wide { &[Some("80")] } else { &[Some("80"), Some("120"), None] };
        let mut text = String::new();
        for columns in widths {
            let shown = table(args, *columns);
            if let Some(columns) = columns.and_then(|c| c.parse::<usize>().ok()).filter(|_| !wide) {
                let widest = shown.lines().map(|line| line.chars().count()).max().unwrap_or(0);
                assert!(widest <= columns, "{name} at {columns} columns is {widest} wide:\n{shown}");
            }
            let heading = columns.map_or_else(|| "not a terminal".to_string(), |c| format!("COLUMNS={c}"));
            text.push_str(&format!("$ kubectl keycloak {}   # {heading}\n{shown}\n", args.join(" ")));
        }
        if regenerate {
            std::fs::write(golden(name), &text).unwrap();
        } else {
            let expected = std::fs::read_to_string(golden(name)).unwrap_or_default();
            if masked(&expected) != masked(&text) {
                differ.push(format!("--- tests/golden/{name}.txt expected:\n{expected}--- shown:\n{text}"));
            }
        }
    }
    assert!(
        differ.is_empty(),
        "tables differ from the golden files (tests/golden/regenerate rewrites them):\n{}",
        differ.join("\n")
    );
}

#[test]
fn a_table_on_a_terminal_fits_its_width_without_columns_set() {
    // script(1) gives the plugin a pseudo-terminal as stdout; stty sets its size.
    let line = "stty cols 80 rows 50; kubectl keycloak discover";
    let out = Run::program("script", &["-qec", line, "/dev/null"])
        .env_remove("KUBECTL_KEYCLOAK_URL")
        .env_remove("KUBECTL_KEYCLOAK_CA_FILE")
        .env("TERM", "xterm-256color")
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert!(lines[0].starts_with("NAMESPACE "), "{:?}", out.stdout);
    assert!(lines.iter().all(|line| line.chars().count() <= 80), "{}", out.stdout);
    assert!(lines.iter().any(|line| line.contains('…')), "nothing was cut to fit:\n{}", out.stdout);
    let piped = table(&["discover"], None);
    assert_eq!(lines.len(), piped.lines().count(), "{}", out.stdout);
}
