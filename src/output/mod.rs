//! Everything written to stdout: secrets in the `-o` formats (`secrets`,
//! quoted by `quote`), JSON, YAML, kubectl's JSONPath templates
//! (`jsonpath`) and aligned tables, Secret manifests with their provenance
//! (`manifest`) and the fields `--keys` picks (`fields`).
//! Rendering only: nothing here talks to a server. The output is built
//! whole in memory and written once, after every call has succeeded.

mod fields;
mod jsonpath;
pub mod manifest;
pub(crate) mod quote;
mod secrets;
mod table;

use std::io::Write;
use std::marker::PhantomData;

use clap::ValueEnum;
use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};

use serde_json::Value;

pub use fields::{ClientFields, Keys, validate_secret_name};
pub use jsonpath::Template;
pub use quote::posix_quote;
pub use secrets::{
    Asked, DEFAULT_VARIABLE, Format, Printed, check_template, first_repeat, refuse_manifest, render, validate_variable,
    variable_for_client, variable_names,
};
pub use table::{age, table, table_within, terminal_width, wide_table};

use crate::error::{Error, Kind, Result};

/// How to print lists.
#[derive(Debug, Clone, PartialEq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    /// The table with every detail (kubectl's `-o wide`).
    Wide,
    Json,
    Yaml,
    #[value(skip)]
    JsonPath(Template),
}

impl OutputFormat for ListFormat {
    fn jsonpath(template: Template) -> Self {
        ListFormat::JsonPath(template)
    }
}

impl ListFormat {
    /// The list in this format, for the structured ones; `None` for the
    /// tables, which each command draws itself.
    pub fn structured(&self, list: &Value) -> Result<Option<String>> {
        Ok(Some(match self {
            ListFormat::Table | ListFormat::Wide => return Ok(None),
            ListFormat::Json => json(list),
            ListFormat::Yaml => yaml(list),
            ListFormat::JsonPath(template) => apply(template, list)?,
        }))
    }
}

/// The values of `-o` beyond a command's named formats, as `NAME=PLACEHOLDER`
/// (completion offers `NAME=`).
const TEMPLATES: [(&str, bool, &str); 2] = [
    ("jsonpath=TEMPLATE", false, "kubectl's JSONPath template, read from what -o json prints: jsonpath='{…}'"),
    ("jsonpath-as-json=TEMPLATE", true, "The JSONPath template's results, each action's as a JSON array"),
];

/// A `-o` format: a command's named ones and `jsonpath=TEMPLATE`.
pub trait OutputFormat: ValueEnum + Send + Sync + 'static {
    fn jsonpath(template: Template) -> Self;
}

/// Parses `-o` when the arguments are read: a template that does not parse
/// is a usage error before any request.
#[derive(Debug, Clone, Copy)]
pub struct FormatParser<F>(PhantomData<F>);

impl<F> FormatParser<F> {
    pub fn new() -> Self {
        FormatParser(PhantomData)
    }
}

impl<F> Default for FormatParser<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: OutputFormat + Clone> TypedValueParser for FormatParser<F> {
    type Value = F;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<F, clap::Error> {
        let text = value.to_str().ok_or_else(|| clap::Error::new(ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        for (name, as_json, _) in TEMPLATES {
            let prefix = name.split_once('=').map_or(name, |(prefix, _)| prefix);
            if let Some(rest) = text.strip_prefix(prefix).filter(|rest| rest.is_empty() || rest.starts_with('=')) {
                let template = rest.strip_prefix('=').unwrap_or_default();
                return match Template::parse(template, as_json) {
                    Ok(template) => Ok(F::jsonpath(template)),
                    // clap's own wording: invalid value '…' for '--output <OUTPUT>': why
                    Err(why) => clap::builder::StringValueParser::new()
                        .try_map(move |_| Err::<F, String>(why.clone()))
                        .parse_ref(cmd, arg, value),
                };
            }
        }
        if let Ok(format) = F::from_str(text, false) {
            return Ok(format);
        }
        let mut err = clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd);
        err.insert(ContextKind::InvalidArg, ContextValue::String(arg.map(ToString::to_string).unwrap_or_default()));
        err.insert(ContextKind::InvalidValue, ContextValue::String(text.to_string()));
        let names = self.possible_values().into_iter().flatten().map(|value| value.get_name().to_string());
        err.insert(ContextKind::ValidValue, ContextValue::Strings(names.collect()));
        Err(err)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let named = F::value_variants().iter().filter_map(ValueEnum::to_possible_value);
        let templates = TEMPLATES.into_iter().map(|(name, _, help)| PossibleValue::new(name).help(help));
        Some(Box::new(named.chain(templates)))
    }
}

/// The template on the JSON that `-o json` prints. Its errors name the
/// template, never a value read (they may be secrets).
pub fn apply(template: &Template, document: &Value) -> Result<String> {
    template.render(document).map_err(|failure| {
        Error::new(Kind::Render, format!("error executing jsonpath {:?}: {failure}", template.text()))
            .hint("-o json shows what the template reads")
    })
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
