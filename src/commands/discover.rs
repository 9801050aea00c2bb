//! `discover`: every Keycloak found in the cluster, where its admin
//! credentials, URL and CA come from (names, never values), and with
//! `--check` whether logging in works.

use serde_json::{Value, json};

use crate::cli::DiscoverArgs;
use crate::cluster::Kube;
use crate::discovery::{self, Candidate, Located};
use crate::error::{Error, Kind, Result};
use crate::output::{self, ListFormat};
use crate::session::Checker;
use crate::settings::Settings;

pub fn run(kube: Kube, settings: &Settings, args: &DiscoverArgs) -> Result<String> {
    let cluster = kube.connect()?;
    let scope = settings.namespace.is_explicit().then_some(settings.namespace.value.as_str());
    let candidates = discovery::find(&cluster, scope)?;
    if candidates.is_empty() {
        let place = scope.map_or_else(|| "any namespace you may list".to_string(), |ns| format!("namespace {ns}"));
        return Err(Error::new(Kind::NotFound, format!("no Keycloak found in {place}")).hint("pass -n NAMESPACE"));
    }
    let checker = args.check.then(|| Checker::new(&cluster, settings));
    let found: Vec<Found> = candidates
        .iter()
        .map(|candidate| {
            let located = candidate.located(settings);
            let status = checker.as_ref().map(|checker| {
                let checked = located.as_ref().map_err(clone_error).and_then(|located| checker.check(located));
                checked.unwrap_or_else(|err| err.to_string())
            });
            Found { candidate, located: located.ok(), status }
        })
        .collect();
    let list = Value::Array(found.iter().map(Found::record).collect());
    Ok(match args.output.structured(&list)? {
        Some(text) => text,
        None if args.output == ListFormat::Wide => wide(&found),
        None => table(&found),
    })
}

struct Found<'a> {
    candidate: &'a Candidate,
    located: Option<Located>,
    status: Option<String>,
}

impl Found<'_> {
    fn admin(&self) -> String {
        self.located.as_ref().map_or_else(|| "-".to_string(), |l| l.admin.value.describe())
    }

    fn url(&self) -> (String, String, bool) {
        match &self.located {
            Some(l) => (l.url.value.clone(), l.url.source.to_string(), l.internal_url),
            None => ("-".to_string(), String::new(), false),
        }
    }

    fn ca(&self) -> String {
        self.located.as_ref().and_then(|l| l.ca.as_ref()).map_or_else(|| "-".to_string(), |ca| format!("Secret {}", ca.value))
    }

    fn record(&self) -> Value {
        let (url, url_from, internal) = self.url();
        let mut record = json!({
            "kind": self.candidate.origin.to_string(),
            "namespace": self.candidate.object.namespace,
            "name": self.candidate.object.name,
            "admin": self.admin(),
            "url": url,
            "urlFrom": url_from,
            "urlInternal": internal,
            "ca": self.ca(),
            "service": self.located.as_ref().and_then(|l| l.service.as_ref()).map(|s| s.target.to_string()),
        });
        if let Some(status) = &self.status {
            record["status"] = json!(status);
        }
        record
    }
}

/// The default table: short columns that fit 120 on the sandbox's data.
fn table(found: &[Found]) -> String {
    let rows = found.iter().map(|f| {
        let admin = f.located.as_ref().map_or("-", |l| l.admin.value.short()).to_string();
        let (namespace, name) = (f.candidate.object.namespace.clone(), f.candidate.object.name.clone());
        [namespace, name, f.candidate.origin.to_string(), admin, f.url().0, f.status.clone().unwrap_or_default()]
    });
    with_check(["NAMESPACE", "NAME", "KIND", "ADMIN", "URL", "CHECK"], rows.collect(), found, true)
}

/// `-o wide`: where each value comes from, in full.
fn wide(found: &[Found]) -> String {
    let rows = found.iter().map(|f| {
        let (url, from, internal) = f.url();
        let from = if internal { format!("{from}, cluster-internal") } else { from };
        let url = if from.is_empty() { url } else { format!("{url} ({from})") };
        [
            f.candidate.origin.to_string(),
            f.candidate.object.to_string(),
            f.admin(),
            url,
            f.ca(),
            f.status.clone().unwrap_or_default(),
        ]
    });
    with_check(["KIND", "NAMESPACE/NAME", "ADMIN", "URL", "CA", "CHECK"], rows.collect(), found, false)
}

/// The last column, CHECK, only for `--check`. `fit`: to the terminal
/// (the default table), or every cell whole (`-o wide`).
fn with_check(headers: [&str; 6], rows: Vec<[String; 6]>, found: &[Found], fit: bool) -> String {
    let width = if fit { output::terminal_width() } else { None };
    if found.iter().any(|f| f.status.is_some()) {
        return output::table_within(Some(headers), &rows, width);
    }
    let [a, b, c, d, e, _] = headers;
    let rows: Vec<[String; 5]> = rows.into_iter().map(|[a, b, c, d, e, _]| [a, b, c, d, e]).collect();
    output::table_within(Some([a, b, c, d, e]), &rows, width)
}

fn clone_error(err: &Error) -> Error {
    Error::new(err.kind, err.to_string())
}
