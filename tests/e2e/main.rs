//! End-to-end tests: the built binary through the real `kubectl`, against the
//! sandbox's real kube-apiserver and Keycloak (tests/sandbox/up; tests/run
//! runs this suite once per pinned Keycloak version).

#[path = "../common/mod.rs"]
mod common;
mod sandbox;

mod admin_account;
mod bulk;
mod client_secret;
mod client_token;
mod clients;
mod completion;
mod config;
mod copies;
mod create_client;
mod discovery;
mod dotenv;
mod failures;
mod gateway;
mod identifiers;
mod jsonpath;
mod leaks;
mod manifests;
mod pipes;
mod port_forward;
mod regenerate;
mod rotated;
mod service_account_admin;
mod sessions;
mod shells;
mod tables;
mod to_secret;
mod token;
