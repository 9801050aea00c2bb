//! Everything written to stdout: secrets in the `-o` formats (`secrets`,
//! quoted by `quote`), JSON, YAML and aligned tables, Secret manifests with
//! their provenance (`manifest`) and the fields `--keys` picks (`fields`).
//! Rendering only: nothing here talks to a server. The output is built
//! whole in memory and written once, after every call has succeeded.

mod fields;
pub mod manifest;
pub(crate) mod quote;
mod secrets;
mod table;

use std::io::Write;

use serde_json::Value;

pub use fields::{ClientFields, Keys, validate_secret_name};
pub use quote::posix_quote;
pub use secrets::{
    Asked, DEFAULT_VARIABLE, Format, Printed, first_repeat, refuse_manifest, render, validate_variable, variable_for_client,
    variable_names,
};
pub use table::{age, table, table_within, terminal_width, wide_table};

use crate::error::{Error, Kind, Result};

/// How to print lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    /// The table with every detail (kubectl's `-o wide`).
    Wide,
    Json,
    Yaml,
}

/// Pretty JSON and a newline.
pub fn json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

pub fn yaml(value: &Value) -> String {
    serde_saphyr::to_string(value).unwrap_or_default()
}

/// Write the whole output, then end stdout: the reader of a pipe
/// (`| kubectl apply -f -`) sees the end of the output now, not when the
/// session's logout is done and the process exits. A reader that went away
/// (`| head`) is not a failure: it has all it wanted.
#[allow(clippy::print_stdout)]
pub fn write_stdout(output: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_all(output.as_bytes()).and_then(|()| stdout.flush())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Error::new(Kind::Io, format!("cannot write to stdout: {err}")));
    }
    end_stdout();
    Ok(())
}

/// Point descriptor 1 at /dev/null rather than closing it, so that no file
/// opened later can take its number and receive stray output.
#[cfg(unix)]
fn end_stdout() {
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        let _ = rustix::stdio::dup2_stdout(&null);
    }
}

#[cfg(not(unix))]
fn end_stdout() {}
