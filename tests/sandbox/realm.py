#!/usr/bin/env python3
"""Write the JSON documents used to seed the sandbox's `shasta` realm.

  realm.py realm OUT_REALM_JSON OUT_SECRETS_JSON
      The realm with the five fixed clients (CSM-like), fresh random client
      secrets; the secrets are also written to OUT_SECRETS_JSON
      ({"clientId": "secret"}) so they can be published as Kubernetes Secrets.
  realm.py scale FIRST LAST OUT_JSON
      A partialImport body adding confidential clients scale-client-FIRST..LAST.

Only fields that Keycloak 21.1 and 26.x both understand are used, with every
behaviour-relevant flag spelled out, so the realm behaves the same on both.
Files are created mode 0600 because they hold secrets.
"""
import json
import os
import secrets
import sys


def write_private(path, doc):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f)


def client(client_id, *, public=False, bearer_only=False, service_accounts=False,
           standard_flow=False, direct_grants=False, name=None):
    c = {
        "clientId": client_id,
        "name": name or client_id,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": public,
        "bearerOnly": bearer_only,
        "serviceAccountsEnabled": service_accounts,
        "standardFlowEnabled": standard_flow,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": direct_grants,
        "consentRequired": False,
        "fullScopeAllowed": True,
        "attributes": {},
    }
    if public:
        c["redirectUris"] = ["https://127.0.0.1/*", "https://localhost/*"]
        c["webOrigins"] = ["+"]
    else:
        c["clientAuthenticatorType"] = "client-secret"
        c["secret"] = secrets.token_hex(16)
    return c


def fixed_clients():
    return [
        # Confidential, with a service account (client_credentials grant).
        client("my-test-client", service_accounts=True),
        # CSM's admin client authenticates with client_credentials too.
        client("admin-client", service_accounts=True),
        # Confidential without a service account (service-account-user -> 400).
        client("system-compute-client"),
        # Public client used for password grants by CSM's CLI.
        client("shasta", public=True, standard_flow=True, direct_grants=True),
        # Bearer-only: the client-secret endpoint answers without a value.
        client("bearer-only-client", bearer_only=True),
    ]


def realm_doc(clients):
    return {
        "realm": "shasta",
        "enabled": True,
        "sslRequired": "external",
        "bruteForceProtected": False,
        "accessTokenLifespan": 300,
        "clients": clients,
    }


def main(argv):
    if len(argv) == 4 and argv[1] == "realm":
        clients = fixed_clients()
        write_private(argv[2], realm_doc(clients))
        write_private(argv[3], {c["clientId"]: c["secret"] for c in clients if "secret" in c})
    elif len(argv) == 5 and argv[1] == "scale":
        first, last = int(argv[2]), int(argv[3])
        clients = [client("scale-client-%05d" % i) for i in range(first, last + 1)]
        write_private(argv[4], {"ifResourceExists": "SKIP", "clients": clients})
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
