//! `clients`: every page of a realm's clients, filtered by --search, as a
//! table, JSON or YAML; never a secret.

use serde_json::Value;

use crate::common::Run;
use crate::sandbox::{sandbox, unique};

#[test]
fn clients_lists_every_page_without_secrets() {
    let table = Run::kubectl(&["clients"]).run().success().stdout;
    assert!(table.starts_with("CLIENT ID"), "{table}");
    let row = |id: &str| {
        table.lines().find(|l| l.starts_with(&format!("{id} "))).unwrap_or_else(|| panic!("{id} missing:\n{table}")).to_string()
    };
    assert!(row("my-test-client").ends_with("confidential   yes"), "{table}");
    assert!(row("shasta").contains("public"), "{table}");
    assert!(!table.contains(&sandbox().secret_of("shasta", "my-test-client")));
}

#[test]
fn clients_follows_pages_to_the_end() {
    // Five clients of its own, so scale runs' extra clients do not matter.
    let prefix = unique("kk-page");
    for n in 1..=5 {
        sandbox().ensure_client("shasta", &format!("{prefix}-{n}"), &format!("{prefix}-secret-{n}"));
    }
    let list = |page_size: &str| -> Vec<String> {
        let out = Run::kubectl(&["clients", "--search", &prefix, "-o", "json", "--page-size", page_size]).run().success().stdout;
        let json: Value = serde_json::from_str(&out).unwrap();
        json.as_array().unwrap().iter().map(|c| c["clientId"].as_str().unwrap().to_string()).collect()
    };
    let expected: Vec<String> = (1..=5).map(|n| format!("{prefix}-{n}")).collect();
    assert_eq!(list("2"), expected, "three pages of 2, 2 and 1");
    assert_eq!(list("5"), expected, "a full page, then an empty one");
    assert_eq!(list("100"), expected);
}

#[test]
fn clients_search_is_a_substring_filter() {
    let found: Value =
        serde_json::from_str(&Run::kubectl(&["clients", "--search", "COMPUTE", "-o", "json"]).run().success().stdout).unwrap();
    let ids: Vec<&str> = found.as_array().unwrap().iter().map(|c| c["clientId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["system-compute-client"]);
    let yaml = Run::kubectl(&["clients", "--search", "my-test-client", "-o", "yaml"]).run().success().stdout;
    assert!(yaml.contains("- clientId: my-test-client\n"), "{yaml}");
}
