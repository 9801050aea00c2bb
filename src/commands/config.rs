//! `config`: every effective setting, its value and where it came from.
//! Never a secret: the admin Secret is named, not read.

use crate::output::table;
use crate::settings::{ConfigFile, Settings};

pub fn run(context: Option<&str>, config: &ConfigFile, settings: &Settings) -> String {
    let file_state = if config.found { "" } else { " (not found)" };
    let mut rows = vec![
        ["context".to_string(), context.unwrap_or("(in-cluster)").to_string(), "kubeconfig".to_string()],
        ["config-file".to_string(), format!("{}{file_state}", config.path.display()), String::new()],
    ];
    rows.extend(settings.describe());
    table(None, &rows)
}
