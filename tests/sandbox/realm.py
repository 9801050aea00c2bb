#!/usr/bin/env python3
"""Seed the sandbox's Keycloak through its admin REST API (for tests/sandbox/up).

  realm.py --url URL --ca-file CA --password-file FILE shasta --kube-secrets OUT
      Create realm shasta with the five fixed clients (CSM-like) and fresh
      random client secrets, unless the realm exists. When it creates the
      realm it writes OUT: a Kubernetes List of the Secrets
      services/<client>-auth (client-id, client-secret) that CSM keeps for
      admin-client and system-compute-client, for `kubectl apply -f OUT`.
      When the realm exists, OUT is removed.
  realm.py --url URL --ca-file CA --password-file FILE scale --count N --progress FILE
      Add confidential clients scale-client-00001..N with partialImport, in
      batches of 500 (one request per batch; existing clients are skipped).
      FILE holds how many are seeded; it is updated after each batch, and
      nothing is sent when it already says N or more.

URL is Keycloak's base URL (https://127.0.0.1:PORT/keycloak), CA the PEM file
its certificate is verified with. The master admin (user admin, client
admin-cli) logs in with the password read from FILE: it travels only in the
body of the token request, and tokens stay in memory. Written files are mode
0600 because they hold secrets.

Only fields that Keycloak 21.1 and 26.x both understand are used, with every
behaviour-relevant flag spelled out, so the realm behaves the same on both.
"""
import argparse
import json
import os
import secrets
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

REALM = "shasta"
SCALE_BATCH = 500


def log(msg):
    print(f"[sandbox {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def die(msg):
    print(f"[sandbox] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def write_private(path, doc):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f)


# ---------------------------------------------------------------- what is seeded

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
        "realm": REALM,
        "enabled": True,
        "sslRequired": "external",
        "bruteForceProtected": False,
        "accessTokenLifespan": 300,
        "clients": clients,
    }


# CSM also keeps client secrets in Secrets <client>-auth, key client-secret.
KUBE_SECRET_CLIENTS = ("admin-client", "system-compute-client")


# CSM mirrors admin-client-auth into default and ims as well; a Deployment
# in each reads it (by env in two, by a volume in one), for `audit`.
ADMIN_CLIENT_COPIES = (("services", "env"), ("default", "env"), ("ims", "volume"))


def reader_doc(namespace, secret, how):
    name = secret.removesuffix("-auth") + "-reader"
    container = {"name": "app", "image": "registry.local/sandbox/reader:1"}
    pod = {"containers": [container]}
    if how == "volume":
        container["volumeMounts"] = [{"name": "auth", "mountPath": "/etc/auth", "readOnly": True}]
        pod["volumes"] = [{"name": "auth", "secret": {"secretName": secret}}]
    else:
        container["env"] = [{"name": "CLIENT_SECRET",
                             "valueFrom": {"secretKeyRef": {"name": secret, "key": "client-secret"}}}]
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": pod}}}


def kube_secrets_doc(clients):
    by_id = {c["clientId"]: c for c in clients}

    def auth(cid, namespace):
        return {"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": cid + "-auth", "namespace": namespace},
                "stringData": {"client-id": cid, "client-secret": by_id[cid]["secret"]}}

    items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ims"}}]
    items += [auth(cid, "services") for cid in KUBE_SECRET_CLIENTS]
    items += [auth("admin-client", ns) for ns, _ in ADMIN_CLIENT_COPIES if ns != "services"]
    items += [reader_doc(ns, "admin-client-auth", how) for ns, how in ADMIN_CLIENT_COPIES]
    return {"apiVersion": "v1", "kind": "List", "items": items}


def scale_client_id(n):
    return "scale-client-%05d" % n


# ---------------------------------------------------------------- admin API

class Admin:
    """The master admin of one Keycloak, over its admin REST API."""

    def __init__(self, url, ca_file, password_file):
        self.url = url.rstrip("/")
        self.tls = ssl.create_default_context(cafile=ca_file)
        self.password_file = password_file
        self.token = None
        self.token_expires = 0.0

    def _send(self, method, url, body=None, headers=None, timeout=60):
        """(status, body bytes); HTTP error statuses are answers, not exceptions."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, context=self.tls, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            die(f"Keycloak {method} {url} failed: {getattr(e, 'reason', e)}")

    def login(self):
        """A fresh token when the current one has less than 20 s left
        (master tokens live 60 s, so long seeding logs in again)."""
        if self.token and time.monotonic() < self.token_expires - 20:
            return
        with open(self.password_file, encoding="utf-8") as f:
            password = f.read().rstrip("\n")
        form = urllib.parse.urlencode({"grant_type": "password", "client_id": "admin-cli",
                                       "username": "admin", "password": password}).encode()
        started = time.monotonic()
        status, body = self._send("POST", f"{self.url}/realms/master/protocol/openid-connect/token", form,
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200:
            die(f"could not obtain a Keycloak admin token (HTTP {status}: {body[:300].decode(errors='replace')})")
        answer = json.loads(body)
        self.token = answer["access_token"]
        self.token_expires = started + float(answer.get("expires_in", 60))

    def call(self, method, path, doc=None, timeout=60):
        """(status, body) of METHOD URL/admin/realms PATH with a JSON body."""
        self.login()
        # Keycloak 16 (RESTEasy on WildFly) answers 500 to partialImport without an Accept it can write.
        headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        body = None
        if doc is not None:
            body = json.dumps(doc).encode()
            headers["Content-Type"] = "application/json"
        return self._send(method, f"{self.url}/admin/realms{path}", body, headers, timeout)

    def expect(self, want, method, path, doc=None, timeout=60):
        status, body = self.call(method, path, doc, timeout)
        if status != want:
            sys.stderr.write(body.decode(errors="replace") + "\n")
            die(f"Keycloak {method} {path} answered {status}, expected {want}")
        return body


# ---------------------------------------------------------------- commands

def seed_shasta(admin, kube_secrets_out):
    if os.path.exists(kube_secrets_out):
        os.remove(kube_secrets_out)
    status, _ = admin.call("GET", f"/{REALM}")
    if status == 200:
        return
    log(f"creating realm {REALM}")
    clients = fixed_clients()
    admin.expect(201, "POST", "", realm_doc(clients))
    write_private(kube_secrets_out, kube_secrets_doc(clients))


def seed_scale(admin, want, progress):
    have = 0
    if os.path.exists(progress) and os.path.getsize(progress) > 0:
        with open(progress, encoding="utf-8") as f:
            have = int(f.read().strip())
    if want <= have:
        return

    def record(n):
        with open(progress, "w", encoding="utf-8") as f:
            f.write(f"{n}\n")

    # A sandbox seeded before (its progress file lost) already has them all.
    body = admin.expect(200, "GET", f"/{REALM}/clients?clientId={scale_client_id(want)}&max=1")
    if json.loads(body):
        record(want)
        return
    log(f"adding scale clients {have + 1}..{want}")
    started = time.monotonic()
    for first in range(have + 1, want + 1, SCALE_BATCH):
        last = min(first + SCALE_BATCH - 1, want)
        doc = {"ifResourceExists": "SKIP", "clients": [client(scale_client_id(i)) for i in range(first, last + 1)]}
        admin.expect(200, "POST", f"/{REALM}/partialImport", doc, timeout=600)
        record(last)
    log(f"scale clients seeded in {time.monotonic() - started:.0f}s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="Keycloak base URL, e.g. https://127.0.0.1:PORT/keycloak")
    ap.add_argument("--ca-file", required=True, help="PEM CA that signed Keycloak's certificate")
    ap.add_argument("--password-file", required=True, help="file holding the master admin's password")
    sub = ap.add_subparsers(dest="command", required=True)
    shasta = sub.add_parser("shasta", help="create realm shasta unless it exists")
    shasta.add_argument("--kube-secrets", required=True, metavar="OUT",
                        help="where to write the Kubernetes Secrets of the new client secrets")
    scale = sub.add_parser("scale", help="add scale-client-00001..N")
    scale.add_argument("--count", required=True, type=int, metavar="N")
    scale.add_argument("--progress", required=True, metavar="FILE", help="how many are seeded (read and updated)")
    args = ap.parse_args()

    admin = Admin(args.url, args.ca_file, args.password_file)
    if args.command == "shasta":
        seed_shasta(admin, args.kube_secrets)
    else:
        seed_scale(admin, args.count, args.progress)


if __name__ == "__main__":
    main()
