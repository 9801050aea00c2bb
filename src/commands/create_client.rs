//! `create-client`: a confidential client (optionally with a service
//! account), printed or stored like `client-secret`.

use serde_json::json;

use crate::cli::CreateClientArgs;
use crate::error::{Kind, Result};
use crate::keycloak::ClientInfo;
use crate::output::{self, Asked, ClientFields, Printed};
use crate::secret::Secret;
use crate::session::Session;
use crate::to_secret;

pub fn check(args: &CreateClientArgs) -> Result<()> {
    output::variable_names(std::slice::from_ref(&args.client), &args.out.vars)?;
    to_secret::check(&args.out.destination(Asked::One), std::slice::from_ref(&args.client))
}

pub fn run(session: &Session, args: &CreateClientArgs) -> Result<String> {
    let variable = output::variable_names(std::slice::from_ref(&args.client), &args.out.vars)?.remove(0);
    let realm = session.realm();
    let representation = json!({
        "clientId": args.client,
        "enabled": true,
        "protocol": "openid-connect",
        "publicClient": false,
        "clientAuthenticatorType": "client-secret",
        "serviceAccountsEnabled": args.service_account,
        // A machine client: no browser flows unless someone turns them on.
        "standardFlowEnabled": !args.service_account,
        "directAccessGrantsEnabled": false,
    });
    let id = session.api().create_client(realm, &representation)?;
    let client = session.api().client_by_id(realm, &id)?;
    let secret = secret_of_new_client(session, realm, &client)?;
    eprintln!("kubectl-keycloak: created client {:?} in realm {realm:?}", args.client);
    let fields = ClientFields::new(&args.client, realm, session.api().base_url()).authenticator(client.authenticator.as_deref());
    let items = [Printed::client_secret(fields, variable, secret)];
    to_secret::deliver(session.cluster(), session.namespace(), &args.out.destination(Asked::One), &items, None)
}

/// The secret of a client just created.
pub(super) fn secret_of_new_client(session: &Session, realm: &str, client: &ClientInfo) -> Result<Secret> {
    match session.api().client_secret(realm, client) {
        Ok(secret) => Ok(secret),
        // Keycloak 16 may create a confidential client without a secret.
        Err(err) if err.kind == Kind::NoSecret => session.api().regenerate_secret(realm, client),
        Err(err) => Err(err),
    }
}
