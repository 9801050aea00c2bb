#!/usr/bin/env python3
"""Seed the sandbox with the Keycloak deployment layouts found on Kubernetes.

  layouts.py seed DIR TESTHOST_IP
  layouts.py kwok-config DIR TESTHOST_IP OUT

DIR is a sandbox instance directory (ports.env, pki/, kubeconfig,
keycloak-admin-password). TESTHOST_IP is the address of the test host
(tests/sandbox/testhost) that the API server's service proxy dials.
kwok-config writes kwok's configuration: its options, the Stage objects
(kwok/stages.yaml) and one ClusterPortForward per layout namespace, which
sends each Keycloak pod port to the sandbox's Keycloak (see PORT_FORWARDS).

Keycloak side: in the master realm, one admin user (realm role `admin`) or
service-account admin client per layout, with fresh random credentials;
two users are created and deleted again (stale bootstrap admins).
Kubernetes side: the Keycloak Operator CRDs (tests/sandbox/crds), one
namespace per layout with the objects its installer creates, CSM's Keycloak
workload and Services in `services`, the proxy-test Services, and the RBAC
of the extra kubeconfig contexts. Pods, Endpoints and EndpointSlices come
from kube-controller-manager; kube-scheduler puts the pods on the kwok nodes,
where kwok marks them Running and Ready. Pod templates carry TESTHOST_LABEL:
kwok gives such pods the test host's address (kwok/stages.yaml), so the API
server's service proxy reaches the test host's relay through their Services.

Passwords and secrets travel only in request bodies (to Keycloak, and to the
API server as the sandbox admin), never in argv; nothing secret is printed.
Every step is idempotent.
"""
import base64
import concurrent.futures
import http.client
import json
import os
import secrets
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import yaml   # PyYAML (tests/deps): the vendored chart renders and manifests

HERE = os.path.dirname(os.path.abspath(__file__))
CRD_DIR = os.path.join(HERE, "crds", "keycloak-operator")
# helm template output of the real charts (tests/sandbox/charts/render), and
# the placeholder that stands for each password the chart would generate.
CHART_DIR = os.path.join(HERE, "charts")
CHART_PLACEHOLDER = "SANDBOX-INJECTED"
# Keycloak's getting-started manifests for Kubernetes and OpenShift, and the
# Route CRD of openshift/api.
OPENSHIFT_DIR = os.path.join(HERE, "openshift")
ROUTE_CRD_DIR = os.path.join(HERE, "crds", "openshift-route")
OPENSHIFT_ROUTE_HOST = "keycloak-kc-openshift.apps.example.test"

OPERATOR_IMAGE = "quay.io/keycloak/keycloak:26.0.0"   # what operator 26.0.0 deploys
KEYCLOAKX_IMAGE = "quay.io/keycloak/keycloak:26.0.0"
PLAIN_IMAGE = "quay.io/keycloak/keycloak:26.0.0"
BITNAMI_IMAGE = "docker.io/bitnami/keycloak:26.3.3-debian-12-r0"
CSM_IMAGE = "artifactory.algol60.net/csm-docker/stable/quay.io/keycloak/keycloak:21.1.1"
RELATIVE_PATH = "/keycloak"
INGRESS_HOST = "sso.example.test"
TESTHOST_LABEL = "sandbox.kubectl-keycloak.dev/testhost"
KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node"   # nodes kwok manages carry KWOK_NODE_ANNOTATION=fake

# Test host ports (tests/sandbox/testhost).
TH_HTTPS, TH_HTTP, TH_REFUSED, TH_RESET = 8443, 8080, 8444, 8445
FAKE_POD = 8446   # a pod port kwok forwards to the sandbox's FAKE_POD_PORT

# kwok's port forwards: namespace -> {pod port: scheme}. "https" goes to
# Keycloak's HTTPS port (TLS end to end, Keycloak's own certificate), "http"
# to its plain-HTTP listener on 127.0.0.1 (KC_HTTP_PORT).
PORT_FORWARDS = {
    "kc-operator": {8443: "https"},          # the Operator's pods: https 8443
    "kc-operator-sa": {8443: "https"},
    "kc-stale": {8443: "https"},
    "kc-bitnami": {8080: "http"},            # Bitnami: http 8080 (Service 80)
    "kc-bitnami-chart": {8080: "http"},
    "kc-keycloakx": {8080: "http"},          # keycloakx: http 8080 (Service 80)
    "kc-keycloakx-bootstrap": {8080: "http"},
    "kc-openshift": {8080: "http"},          # the getting-started StatefulSet: http 8080
    "kc-two": {8443: "https"},               # Operator and plain Deployment: https 8443
    "kc-internal": {8443: "https"},          # an Operator CR without a hostname
    # CSM: http 8080 (Services 80, 8080); keycloak-testhost 8443 and, for
    # keycloak-refused, 8444: the test host's port where nothing listens;
    # for keycloak-dropping, FAKE_POD: 127.0.0.1:FAKE_POD_PORT, reserved for
    # a test that plays a pod (nothing listens there otherwise).
    "services": {8080: "http", 8443: "https", TH_REFUSED: "refused", FAKE_POD: "fake-pod"},
}

# Master-realm identities, one per layout. "deleted": created, then removed
# from Keycloak, while its Kubernetes Secret stays (a stale bootstrap admin).
USERS = {
    "temp-admin": "kc-operator",
    "sa-temp-admin": "kc-operator-sa",      # deleted
    "stale-admin": "kc-stale",              # deleted
    "user": "kc-bitnami",
    "keycloakx-admin": "kc-keycloakx-bootstrap",
    "two-admin": "kc-two",
    "plain-admin": "kc-two",
    "internal-admin": "kc-internal",
}
DELETED_USERS = ("sa-temp-admin", "stale-admin")
SA_CLIENT = "operator-sa-admin"             # kc-operator-sa
LAYOUT_NAMESPACES = ["kc-operator", "kc-operator-sa", "kc-bitnami", "kc-bitnami-chart",
                     "kc-keycloakx", "kc-keycloakx-bootstrap", "kc-openshift", "kc-two", "kc-stale",
                     "kc-internal"]


# ----------------------------------------------------------------- Keycloak

class Token:
    """The sandbox admin's token, shared by the clients of several threads
    (each login hashes the password: slow, so log in once per 30 s)."""

    def __init__(self, password_file):
        with open(password_file) as f:
            self.password = f.read().strip()
        self.lock = threading.Lock()
        self.value = None
        self.at = 0.0

    def get(self, kc):
        with self.lock:
            if self.value is None or time.monotonic() - self.at > 30:
                self.value = kc.login(self.password)
                self.at = time.monotonic()
            return self.value


class Keycloak:
    """Master-realm admin REST client on one kept-alive HTTPS connection."""

    def __init__(self, url, cafile, token):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.base = u.hostname, u.port, u.path
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.conn = None
        self.token = token

    def _send(self, method, path, body, headers):
        for attempt in (1, 2):   # once more on a connection the server closed
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
            try:
                self.conn.request(method, self.base + path, body=body, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read(), r.headers
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def login(self, password):
        body = urllib.parse.urlencode({"grant_type": "password", "client_id": "admin-cli",
                                       "username": "admin", "password": password})
        status, raw, _ = self._send("POST", "/realms/master/protocol/openid-connect/token", body,
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200:
            sys.exit("layouts.py: Keycloak admin login answered %d" % status)
        return json.loads(raw)["access_token"]

    def call(self, method, path, body=None, ok=(200, 201, 204)):
        """Admin REST call on the master realm; returns (status, parsed body, headers)."""
        headers = {"Authorization": "Bearer " + self.token.get(self)}
        if body is not None:
            headers["Content-Type"] = "application/json"
        status, raw, headers = self._send(method, "/admin/realms/master" + path,
                                          None if body is None else json.dumps(body), headers)
        if status not in ok:
            sys.exit("layouts.py: Keycloak %s %s answered %d: %s"
                     % (method, path, status, raw[:300].decode(errors="replace")))
        return status, (json.loads(raw) if raw else None), headers

    def admin_role(self):
        return self.call("GET", "/roles/admin")[1]

    def find_user(self, username):
        users = self.call("GET", "/users?exact=true&username=" + urllib.parse.quote(username))[1]
        return next((u["id"] for u in users if u["username"] == username), None)

    def ensure_admin_user(self, username, password, role):
        """password None: no credential (a user that is deleted right away)."""
        cred = {"type": "password", "value": password, "temporary": False}
        uid = self.find_user(username)
        if uid is None:
            # Keycloak 24+ user profiles want e-mail and names, or a login
            # ends in "Account is not fully set up".
            user = {"username": username, "enabled": True, "emailVerified": True,
                    "email": username + "@sandbox.invalid", "firstName": "Sandbox", "lastName": username}
            if password is not None:
                user["credentials"] = [cred]
            headers = self.call("POST", "/users", user)[2]
            uid = headers["Location"].rstrip("/").rsplit("/", 1)[1]
        elif password is not None:
            self.call("PUT", "/users/%s/reset-password" % uid, cred)
        self.call("POST", "/users/%s/role-mappings/realm" % uid, [role])

    def delete_user(self, username):
        uid = self.find_user(username)
        if uid is not None:
            self.call("DELETE", "/users/" + uid)

    def ensure_admin_client(self, client_id, secret, role):
        found = self.call("GET", "/clients?clientId=" + urllib.parse.quote(client_id))[1]
        for c in found:
            self.call("DELETE", "/clients/" + c["id"])
        self.call("POST", "/clients", {
            "clientId": client_id, "name": client_id, "enabled": True, "protocol": "openid-connect",
            "publicClient": False, "bearerOnly": False, "serviceAccountsEnabled": True,
            "standardFlowEnabled": False, "implicitFlowEnabled": False,
            "directAccessGrantsEnabled": False, "clientAuthenticatorType": "client-secret",
            "secret": secret})
        cid = self.call("GET", "/clients?clientId=" + urllib.parse.quote(client_id))[1][0]["id"]
        sa = self.call("GET", "/clients/%s/service-account-user" % cid)[1]
        self.call("POST", "/users/%s/role-mappings/realm" % sa["id"], [role])


def seed_keycloak(new_client):
    """Create the per-layout admins; returns {name: secret} for the Kubernetes
    Secrets. Four connections at a time (password hashing dominates)."""
    creds = {user: secrets.token_hex(20) for user in USERS}
    creds[SA_CLIENT] = secrets.token_hex(16)
    local = threading.local()

    def client():
        if getattr(local, "kc", None) is None:
            local.kc = new_client()
            local.role = local.kc.admin_role()
        return local.kc, local.role

    def user(name):
        kc, role = client()
        if name in DELETED_USERS:
            # The bootstrap admin that was removed after bootstrap; its Secret
            # keeps a password Keycloak never stored (it would not matter).
            kc.ensure_admin_user(name, None, role)
            kc.delete_user(name)
        else:
            kc.ensure_admin_user(name, creds[name], role)

    def sa_client():
        kc, role = client()
        kc.ensure_admin_client(SA_CLIENT, creds[SA_CLIENT], role)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(user, name) for name in USERS] + [pool.submit(sa_client)]
        for f in futures:
            f.result()
    return creds


# ----------------------------------------------------------------- Kubernetes objects

def meta(name, ns=None, labels=None, **extra):
    m = {"name": name}
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = dict(labels)
    m.update(extra)
    return m


def secret(ns, name, data, type_="Opaque", labels=None):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta(name, ns, labels),
            "type": type_, "stringData": data}


def env_value(name, value):
    return {"name": name, "value": value}


def env_secret(name, secret_name, key):
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret_name, "key": key}}}


def workload(kind, ns, name, labels, container, replicas=1, owner=None, service_name=None, parallel=False):
    """A StatefulSet or Deployment; its pods carry TESTHOST_LABEL (kwok gives
    them the test host's address)."""
    spec = {"replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels, **{TESTHOST_LABEL: "true"})},
                         "spec": {"containers": [container]}}}
    if kind == "StatefulSet":
        spec["serviceName"] = service_name or name
        if parallel:
            spec["podManagementPolicy"] = "Parallel"
    m = meta(name, ns, labels)
    if owner:
        m["ownerReferences"] = [owner]
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": m, "spec": spec}


def service(ns, name, ports, selector=None, labels=None, owner=None):
    spec = {"type": "ClusterIP", "ports": ports}
    if selector:
        spec["selector"] = dict(selector)
    m = meta(name, ns, labels)
    if owner:
        m["ownerReferences"] = [owner]
    return {"apiVersion": "v1", "kind": "Service", "metadata": m, "spec": spec}


def port(name, port_, target=None):
    return {"name": name, "port": port_, "protocol": "TCP", "targetPort": target if target is not None else port_}


def chart_objects(name, passwords):
    """The objects of one vendored chart render, unedited except that each
    Secret key in `passwords` ({secret: {key: password}}) holding the
    placeholder gets the sandbox's password instead."""
    placeholder = base64.b64encode(CHART_PLACEHOLDER.encode()).decode()
    with open(os.path.join(CHART_DIR, name)) as f:
        objs = [o for o in yaml.safe_load_all(f) if o]
    for o in objs:
        if o["kind"] != "Secret":
            continue
        for key, password in passwords.get(o["metadata"]["name"], {}).items():
            if o.get("data", {}).get(key) != placeholder:
                sys.exit("layouts.py: %s: Secret %s has no placeholder in %s" % (name, o["metadata"]["name"], key))
            o["data"][key] = base64.b64encode(password.encode()).decode()
    return objs


def openshift_objects(ns, admin_password):
    """The getting-started manifest in `ns`, its StatefulSet's literal admin
    password replaced by the sandbox admin's and Keycloak's relative path
    set; and the OpenShift template's Route with its parameters filled in.
    The template's DeploymentConfig needs OpenShift's own controllers (and
    OpenShift 4.14 deprecated it): the manifest's StatefulSet runs instead."""
    with open(os.path.join(OPENSHIFT_DIR, "keycloak.yaml")) as f:
        objs = [o for o in yaml.safe_load_all(f) if o]
    for o in objs:
        o["metadata"]["namespace"] = ns
        if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "keycloak":
            container = o["spec"]["template"]["spec"]["containers"][0]
            for e in container["env"]:
                if e["name"] == "KC_BOOTSTRAP_ADMIN_PASSWORD":
                    e["value"] = admin_password
            container["env"].append(env_value("KC_HTTP_RELATIVE_PATH", RELATIVE_PATH))
    with open(os.path.join(OPENSHIFT_DIR, "keycloak-template.yaml")) as f:
        template = yaml.safe_load(f)
    params = {"APPLICATION_NAME": "keycloak", "HOSTNAME": OPENSHIFT_ROUTE_HOST}
    for o in template["objects"]:
        if o["kind"] != "Route":
            continue
        text = json.dumps(o)
        for name, value in params.items():
            text = text.replace("${%s}" % name, value)
        route = json.loads(text)
        route.pop("id", None)           # a template-only field
        route["apiVersion"] = "route.openshift.io/v1"
        route["metadata"]["namespace"] = ns
        objs.append(route)
    return objs


# The Keycloak Operator's objects follow its Java sources
# (operator/src/main/java/org/keycloak/operator/ of keycloak/keycloak):
# Constants.java, Utils.java (allInstanceLabels),
# controllers/KeycloakDeploymentDependentResource.java,
# controllers/KeycloakDistConfigurator.java,
# controllers/KeycloakServiceDependentResource.java,
# controllers/KeycloakDiscoveryServiceDependentResource.java and
# controllers/KeycloakAdminSecretDependentResource.java. The tag 26.0.0 itself
# could not be checked out here (the repository is too large to mirror); what
# follows is what the stored versions around 26.0.0 produce for keycloak_cr(),
# with the 26.0.0 CRD (tests/sandbox/crds) deciding which spec fields exist.

def operator_labels(name):
    # Utils.allInstanceLabels: Constants.DEFAULT_LABELS (sorted) plus the
    # instance label. The StatefulSet's labels, selector and pod labels, and
    # both Services' labels and selectors, are exactly these.
    return {"app": "keycloak", "app.kubernetes.io/managed-by": "keycloak-operator",
            "app.kubernetes.io/instance": name}


def tls_secret(ns, name, pki):
    def read(f):
        with open(os.path.join(pki, f)) as fh:
            return fh.read()
    # As cert-manager writes it: tls.crt, tls.key and the issuing CA in ca.crt.
    return secret(ns, name, {"tls.crt": read("keycloak.crt"), "tls.key": read("keycloak.key"),
                             "ca.crt": read("ca.crt")}, "kubernetes.io/tls")


def keycloak_cr(ns, name, url, service_secret=None):
    spec = {
        "instances": 1,
        # Hostname v2 (Keycloak 25+): a full URL, path included; without one,
        # the Operator's pods answer to any host (strict: false).
        "hostname": {"hostname": url} if url else {"strict": False},
        "http": {"tlsSecret": name + "-tls", "httpsPort": 8443},
        # The server's own path; the operator passes it as KC_HTTP_RELATIVE_PATH.
        "additionalOptions": [{"name": "http-relative-path", "value": RELATIVE_PATH}],
        "ingress": {"enabled": False},
    }
    if service_secret:
        spec["bootstrapAdmin"] = {"service": {"secret": service_secret}}
    return {"apiVersion": "k8s.keycloak.org/v2alpha1", "kind": "Keycloak",
            "metadata": meta(name, ns), "spec": spec}


def operator_layout(ns, name, url, pki, creds, admin_user, service_secret=None):
    """A Keycloak CR and what the operator would create next to it. Returns
    (objects, owned): owned objects get ownerReferences once the CR has a uid."""
    labels = operator_labels(name)
    admin_secret = name + "-initial-admin"
    objs = [
        tls_secret(ns, name + "-tls", pki),
        keycloak_cr(ns, name, url, service_secret),
    ]
    # KeycloakDistConfigurator.configureDistOptions, in its mappers' order:
    # hostname, http (https-port and the certificate files of the tlsSecret;
    # http-enabled and http-port only when the CR sets them), bootstrap admin.
    env = [
        env_value("KC_HOSTNAME", url) if url else env_value("KC_HOSTNAME_STRICT", "false"),
        env_value("KC_HTTPS_PORT", "8443"),
        env_value("KC_HTTPS_CERTIFICATE_FILE", "/mnt/certificates/tls.crt"),
        env_value("KC_HTTPS_CERTIFICATE_KEY_FILE", "/mnt/certificates/tls.key"),
        env_secret("KC_BOOTSTRAP_ADMIN_USERNAME", admin_secret, "username"),
        env_secret("KC_BOOTSTRAP_ADMIN_PASSWORD", admin_secret, "password"),
    ]
    if service_secret:
        env += [env_secret("KC_BOOTSTRAP_ADMIN_CLIENT_ID", service_secret, "client-id"),
                env_secret("KC_BOOTSTRAP_ADMIN_CLIENT_SECRET", service_secret, "client-secret")]
    env += [
        # Constants.DEFAULT_DIST_CONFIG_LIST, then spec.additionalOptions: a
        # KC_ variable, and a KCKEY_ one naming the option.
        env_value("KC_HEALTH_ENABLED", "true"),
        env_value("KC_CACHE", "ispn"),
        env_value("KC_CACHE_STACK", "kubernetes"),
        env_value("KC_HTTP_RELATIVE_PATH", RELATIVE_PATH),
        env_value("KCKEY_HTTP_RELATIVE_PATH", "http-relative-path"),
        # The Kubernetes CA (service-ca.crt is added only on OpenShift).
        env_value("KC_TRUSTSTORE_PATHS", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"),
    ]

    def probe(path, period, failures):
        # On the management port, under http-relative-path (the management
        # interface inherits it), HTTPS as the CR has a tlsSecret.
        return {"httpGet": {"scheme": "HTTPS", "port": 9000, "path": RELATIVE_PATH + "/health/" + path},
                "periodSeconds": period, "failureThreshold": failures}
    container = {
        "name": "keycloak", "image": OPERATOR_IMAGE,
        # No --optimized: the CR has neither image nor startOptimized.
        "args": ["-Djgroups.dns.query=%s-discovery.%s" % (name, ns), "--verbose", "start"],
        "env": env,
        "readinessProbe": probe("ready", 10, 3),
        "livenessProbe": probe("live", 10, 3),
        "startupProbe": probe("started", 1, 600),
        "ports": [{"name": "https", "containerPort": 8443, "protocol": "TCP"},
                  {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                  {"name": "management", "containerPort": 9000, "protocol": "TCP"}],
        "volumeMounts": [{"name": "keycloak-tls-certificates", "mountPath": "/mnt/certificates"}],
    }

    def owned(owner):
        sts = workload("StatefulSet", ns, name, labels, container, owner=owner,
                       service_name=name + "-discovery")
        sts["metadata"]["annotations"] = {"operator.keycloak.org/migrating": "false"}
        sts["spec"]["template"]["spec"].update({
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "volumes": [{"name": "keycloak-tls-certificates",
                         "secret": {"secretName": name + "-tls", "optional": False}}]})
        # The Service's ports name no targetPort (the API server sets it to port).
        svc = service(ns, name + "-service",
                      [{"name": "https", "port": 8443, "protocol": "TCP"},
                       {"name": "management", "port": 9000, "protocol": "TCP"}],
                      selector=labels, labels=labels, owner=owner)
        discovery = service(ns, name + "-discovery", [{"name": "tcp", "port": 7800, "protocol": "TCP"}],
                            selector=labels, labels=labels, owner=owner)
        discovery["spec"].update({"clusterIP": "None", "publishNotReadyAddresses": True})
        # The operator's temporary admin (created unless bootstrapAdmin.user is
        # set, garbage-collected with the CR). The operator names its user
        # temp-admin; each layout here has its own user in the shared Keycloak.
        admin = secret(ns, admin_secret, {"username": admin_user, "password": creds[admin_user]},
                       "kubernetes.io/basic-auth", labels)
        admin["metadata"]["ownerReferences"] = [owner]
        return [admin, sts, svc, discovery]
    return objs, owned


def layouts(url, pki, creds):
    objs = []
    owned = {}   # (ns, CR name) -> function(ownerReference) -> objects

    # --- Keycloak Operator: the initial-admin Secret.
    o, f = operator_layout("kc-operator", "keycloak", url, pki, creds, "temp-admin")
    objs += o; owned[("kc-operator", "keycloak")] = f

    # --- Keycloak Operator with a service-account bootstrap admin. The operator
    # still creates <name>-initial-admin; its user was deleted here, so only the
    # service account works.
    o, f = operator_layout("kc-operator-sa", "keycloak", url, pki, creds, "sa-temp-admin",
                           service_secret="keycloak-bootstrap-admin-client")
    objs += o; owned[("kc-operator-sa", "keycloak")] = f
    objs.append(secret("kc-operator-sa", "keycloak-bootstrap-admin-client",
                       {"client-id": SA_CLIENT, "client-secret": creds[SA_CLIENT]}))

    # --- An Operator CR without spec.hostname: its URL is the Operator's
    # Service, https://keycloak-service.kc-internal.svc:8443, which resolves
    # only inside the cluster.
    o, f = operator_layout("kc-internal", "keycloak", None, pki, creds, "internal-admin")
    objs += o; owned[("kc-internal", "keycloak")] = f

    # --- Stale bootstrap admin: the initial-admin's user was deleted after bootstrap.
    o, f = operator_layout("kc-stale", "keycloak", url, pki, creds, "stale-admin")
    objs += o; owned[("kc-stale", "keycloak")] = f

    # --- The real charts, as `helm template` renders them (tests/sandbox/charts):
    # Bitnami 25.4.0 with usePasswordFiles=false (password from secretKeyRef)
    # and with its defaults (password as a file of a projected Secret volume),
    # both with the chart's admin user "user"; keycloakx 7.1.11 with its
    # README's admin example (KEYCLOAK_ADMIN literal "admin": the sandbox's
    # own admin) and with KC_BOOTSTRAP_ADMIN_* from a user Secret and an Ingress.
    objs += chart_objects("bitnami-env.yaml", {"kc-keycloak": {"admin-password": creds["user"]}})
    objs += chart_objects("bitnami-defaults.yaml", {"kc-keycloak": {"admin-password": creds["user"]}})
    objs += chart_objects("keycloakx-readme.yaml", {})
    objs.append(secret("kc-keycloakx", "keycloak-admin-password", {"password": creds["admin"]}))
    objs += chart_objects("keycloakx-bootstrap.yaml", {})
    objs.append(secret("kc-keycloakx-bootstrap", "keycloak-admin",
                       {"username": "keycloakx-admin", "password": creds["keycloakx-admin"]}))

    # --- OpenShift without the Operator: Keycloak's getting-started manifest
    # (literal admin "admin", the sandbox's own) behind the Route of its
    # OpenShift template (edge TLS).
    objs += openshift_objects("kc-openshift", creds["admin"])

    # --- Two Keycloaks in one namespace: an Operator CR and a plain Deployment.
    ns = "kc-two"
    o, f = operator_layout(ns, "keycloak", url, pki, creds, "two-admin")
    objs += o; owned[(ns, "keycloak")] = f
    plain = {"app": "keycloak-plain"}
    objs.append(secret(ns, "keycloak-plain-admin", {"password": creds["plain-admin"]}))
    objs.append(workload("Deployment", ns, "keycloak-plain", plain, {
        "name": "keycloak", "image": PLAIN_IMAGE, "args": ["start"],
        "env": [env_value("KC_BOOTSTRAP_ADMIN_USERNAME", "plain-admin"),
                env_secret("KC_BOOTSTRAP_ADMIN_PASSWORD", "keycloak-plain-admin", "password"),
                env_value("KC_HTTP_RELATIVE_PATH", RELATIVE_PATH),
                env_value("KC_HTTPS_PORT", "8443")],
        "ports": [{"name": "https", "containerPort": 8443, "protocol": "TCP"}]}))
    objs.append(service(ns, "keycloak-plain", [port("https", 8443)], selector=plain, labels=plain))
    return objs, owned


def csm_objects():
    """services: CSM's Keycloak workload and Services as the cray-keycloak
    chart 5.x renders them (codecentric keycloakx 2.1.1 with nameOverride
    keycloak, fullnameOverride cray-keycloak, replicas 3, podManagementPolicy
    Parallel; its own templates/service.yaml adds Service `keycloak`), and the
    proxy-test Services."""
    ns = "services"
    labels = {"app.kubernetes.io/name": "keycloak", "app.kubernetes.io/instance": "cray-keycloak"}
    testhost = {"app": "keycloak-testhost"}
    return [
        workload("StatefulSet", ns, "cray-keycloak", labels, {
            "name": "keycloak", "image": CSM_IMAGE,
            "command": ["/opt/keycloak/bin/kc.sh", "start", "--http-enabled=true", "--http-port=8080",
                        "--hostname-strict=false", "--hostname-strict-https=false"],
            "env": [env_value("KC_HTTP_RELATIVE_PATH", RELATIVE_PATH),
                    env_secret("KEYCLOAK_ADMIN", "keycloak-master-admin-auth", "user"),
                    env_secret("KEYCLOAK_ADMIN_PASSWORD", "keycloak-master-admin-auth", "password")],
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]},
            replicas=3, service_name="cray-keycloak-headless", parallel=True),
        # The Service CSM's API gateway routes /keycloak to (port 80, plain HTTP).
        service(ns, "cray-keycloak-http", [port("http", 80, "http")], selector=labels,
                labels=dict(labels, **{"app.kubernetes.io/component": "http"})),
        # cray-keycloak's templates/service.yaml ("for backwards compatibility
        # and is deprecated"): port 8080 -> the pods' http port.
        service(ns, "keycloak", [port("http", 8080, "http")], selector=labels),
        # Proxy tests: one Keycloak-looking pod at the test host's address;
        # the Services pick the relay's port through targetPort.
        workload("StatefulSet", ns, "keycloak-testhost", testhost, {
            "name": "keycloak", "image": CSM_IMAGE,
            "ports": [{"name": "https", "containerPort": TH_HTTPS, "protocol": "TCP"}]}),
        service(ns, "keycloak-testhost", [port("https", 8443, TH_HTTPS)], selector=testhost),
        service(ns, "keycloak-refused", [port("https", 8443, TH_REFUSED)], selector=testhost),
        service(ns, "keycloak-reset", [port("https", 8443, TH_RESET)], selector=testhost),
        # Plain HTTP to the pod port that a test plays (FAKE_POD).
        service(ns, "keycloak-dropping", [port("http", 8080, FAKE_POD)], selector=testhost),
        # No pod matches: its Endpoints object has no addresses.
        # (Without any Endpoints object the API server answers 404 "services ... not found".)
        service(ns, "keycloak-noendpoints", [port("https", 8443)], selector={"app": "keycloak-notready"}),
    ]


def rbac_objects():
    def cluster_role(name, rules):
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": meta(name), "rules": rules}

    def binding(ns, role, user):
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": meta("%s-%s" % (user, role), ns),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]}

    objs = [
        cluster_role("sandbox-credential-reader", [
            {"apiGroups": [""], "resources": ["secrets", "configmaps", "services"], "verbs": ["get"]}]),
        # The port-forward's needs: the Service (credential-reader), its pods, the subresource.
        cluster_role("sandbox-pod-reader", [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]),
        cluster_role("sandbox-port-forward", [
            {"apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["get", "create"]}]),
        cluster_role("sandbox-service-proxy", [
            {"apiGroups": [""], "resources": ["services/proxy"], "verbs": ["get", "create"]}]),
        cluster_role("sandbox-keycloak-discoverer", [
            {"apiGroups": ["k8s.keycloak.org"], "resources": ["keycloaks"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["apps"], "resources": ["statefulsets", "deployments"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["services", "secrets", "configmaps"], "verbs": ["get", "list"]},
            {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ["get", "list"]}]),
    ]
    for ns in ["services"] + LAYOUT_NAMESPACES:
        objs.append(binding(ns, "sandbox-credential-reader", "sandbox-nodiscover"))
        objs.append(binding(ns, "sandbox-credential-reader", "sandbox-proxy"))
        objs.append(binding(ns, "sandbox-service-proxy", "sandbox-proxy"))
        objs.append(binding(ns, "sandbox-credential-reader", "sandbox-noproxy"))
        # sandbox-forward may forward ports; sandbox-noforward may list the pods, no more.
        for user in ("sandbox-forward", "sandbox-noforward"):
            objs.append(binding(ns, "sandbox-credential-reader", user))
            objs.append(binding(ns, "sandbox-pod-reader", user))
        objs.append(binding(ns, "sandbox-port-forward", "sandbox-forward"))
    objs.append(binding("kc-operator", "sandbox-keycloak-discoverer", "sandbox-namespaced"))
    return objs


# ----------------------------------------------------------------- kubectl

class Kube:
    """Server-side apply straight to the API server as the sandbox admin
    (system:masters client certificate), several requests at a time: one
    request per object, where `kubectl apply` makes several, one after another."""

    PLURALS = {  # kind -> (resource, namespaced)
        "Namespace": ("namespaces", False), "ClusterRole": ("clusterroles", False),
        "RoleBinding": ("rolebindings", True), "Secret": ("secrets", True),
        "ConfigMap": ("configmaps", True), "Service": ("services", True),
        "StatefulSet": ("statefulsets", True),
        "Deployment": ("deployments", True), "Ingress": ("ingresses", True),
        "ServiceAccount": ("serviceaccounts", True), "NetworkPolicy": ("networkpolicies", True),
        "PodDisruptionBudget": ("poddisruptionbudgets", True), "Route": ("routes", True),
        "Keycloak": ("keycloaks", True),
    }

    def __init__(self, dirpath, port):
        self.dir = dirpath
        self.host = "127.0.0.1"
        self.port = int(port)
        pki = os.path.join(dirpath, "pki")
        self.ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
        self.ctx.load_cert_chain(os.path.join(pki, "admin.crt"), os.path.join(pki, "admin.key"))
        self.local = threading.local()

    def request(self, method, path, body=None, ctype="application/json", ok=(200, 201)):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = ctype
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            r = conn.getresponse()
            status, raw = r.status, r.read()
        except (OSError, http.client.HTTPException):
            self.local.conn = None
            raise
        if status not in ok:
            sys.exit("layouts.py: %s %s answered %d: %s" % (method, path, status, raw[:300].decode(errors="replace")))
        return status, json.loads(raw) if raw else None

    def path(self, obj):
        resource, namespaced = self.PLURALS[obj["kind"]]
        api = obj["apiVersion"]
        p = "/api/v1" if api == "v1" else "/apis/" + api
        if namespaced:
            p += "/namespaces/" + obj["metadata"]["namespace"]
        return "%s/%s/%s" % (p, resource, obj["metadata"]["name"])

    def apply(self, objects):
        def one(obj):
            self.request("PATCH", self.path(obj) + "?fieldManager=sandbox-layouts&force=true", obj,
                         "application/apply-patch+yaml")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(one, objects))

    def get(self, path):
        return self.request("GET", path)[1]

    def kubectl_start(self, args):
        return subprocess.Popen(["kubectl", "--kubeconfig", os.path.join(self.dir, "kubeconfig"),
                                 "--context", "sandbox"] + args,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), args

    @staticmethod
    def kubectl_wait(started):
        p, args = started
        out, err = p.communicate()
        if p.returncode != 0:
            err = "\n".join(err.strip().splitlines()[-15:])[-3000:]
            sys.exit("layouts.py: kubectl %s failed:\n%s" % (" ".join(args[:3]), err))
        return out


def wait_established(kube, crds, timeout=60):
    def established(crd):
        conds = kube.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd) \
            .get("status", {}).get("conditions") or []
        return any(c.get("type") == "Established" and c.get("status") == "True" for c in conds)
    deadline = time.monotonic() + timeout
    for crd in crds:
        while not established(crd):
            if time.monotonic() > deadline:
                sys.exit("layouts.py: CRD %s not established within %ds" % (crd, timeout))
            time.sleep(0.2)


def seed(dirpath, testhost_ip):
    ports = dict(line.strip().split("=", 1) for line in open(os.path.join(dirpath, "ports.env")) if "=" in line)
    url = "https://127.0.0.1:%s%s" % (ports["KC_PORT"], RELATIVE_PATH)
    pki = os.path.join(dirpath, "pki")
    kube = Kube(dirpath, ports["APISERVER_PORT"])

    # CRDs with kubectl (it reads the YAML), while Keycloak is seeded;
    # server-side, because the keycloaks CRD is too large for a client-side
    # apply's annotation.
    t0 = time.monotonic()
    crd_apply = kube.kubectl_start(["apply", "--server-side", "--force-conflicts", "-f", CRD_DIR, "-f", ROUTE_CRD_DIR])
    token = Token(os.path.join(dirpath, "keycloak-admin-password"))
    creds = seed_keycloak(lambda: Keycloak(url, os.path.join(pki, "ca.crt"), token))
    creds["admin"] = token.password   # the sandbox's own admin (keycloakx's README names "admin")
    t_kc = time.monotonic() - t0
    kube.kubectl_wait(crd_apply)
    wait_established(kube, ["keycloaks.k8s.keycloak.org", "keycloakrealmimports.k8s.keycloak.org",
                            "routes.route.openshift.io"])
    t1 = time.monotonic()

    kube.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": meta(ns)} for ns in LAYOUT_NAMESPACES])
    layout_objs, owned = layouts(url, pki, creds)
    kube.apply(rbac_objects() + csm_objects() + layout_objs)

    # Objects the operator owns point at their Keycloak CR.
    owned_objs = []
    for cr in kube.get("/apis/k8s.keycloak.org/v2alpha1/keycloaks")["items"]:
        key = (cr["metadata"]["namespace"], cr["metadata"]["name"])
        if key in owned:
            owned_objs += owned[key]({
                "apiVersion": "k8s.keycloak.org/v2alpha1", "kind": "Keycloak",
                "name": cr["metadata"]["name"], "uid": cr["metadata"]["uid"],
                "controller": True, "blockOwnerDeletion": True})
    kube.apply(owned_objs)
    t2 = time.monotonic()
    wait_workloads_ready(kube, [o for o in layout_objs + owned_objs + csm_objects()
                                if o["kind"] in ("StatefulSet", "Deployment")])
    print("layouts.py: Keycloak admins %.1fs, CRDs ready at %.1fs, objects %.1fs, pods ready %.1fs"
          % (t_kc, t1 - t0, t2 - t1, time.monotonic() - t2), file=sys.stderr)


def wait_workloads_ready(kube, workloads, timeout=120):
    """Until every workload's controller reports all replicas ready (pods
    created by kube-controller-manager, scheduled, made Ready by kwok)."""
    deadline = time.monotonic() + timeout
    pending = {kube.path(w): w["spec"]["replicas"] for w in workloads}
    while pending:
        for path, want in list(pending.items()):
            obj = kube.get(path)
            st = obj.get("status", {})
            if (st.get("observedGeneration") == obj["metadata"]["generation"]
                    and st.get("readyReplicas", 0) == want and st.get("replicas", 0) == want):
                del pending[path]
        if not pending:
            break
        if time.monotonic() > deadline:
            sys.exit("layouts.py: not ready within %ds (ready/wanted): %s" % (timeout, ", ".join(
                "%s %s/%d" % (p.split("/namespaces/")[1], kube.get(p).get("status", {}).get("readyReplicas", 0), n)
                for p, n in pending.items())))
        time.sleep(0.5)


def kwok_config(dirpath, testhost_ip, out):
    """kwok's configuration: options, Stage objects and port forwards, as one
    multi-document YAML file (JSON documents are YAML)."""
    ports = dict(line.strip().split("=", 1) for line in open(os.path.join(dirpath, "ports.env")) if "=" in line)
    target = {"https": ("127.0.0.1", int(ports["KC_PORT"])), "http": ("127.0.0.1", int(ports["KC_HTTP_PORT"])),
              "refused": (testhost_ip, TH_REFUSED), "fake-pod": ("127.0.0.1", int(ports["FAKE_POD_PORT"]))}
    # The test host owns x.y.z.0/30 of its /24 (every instance's test host
    # sits at .0/30 of some /24): kwok's pod addresses take the upper half.
    cidr = testhost_ip.rsplit(".", 1)[0] + ".128/25"
    docs = [{
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1", "kind": "KwokConfiguration",
        "options": {
            "cidr": cidr,
            "nodeIP": "127.0.0.1", "nodePort": int(ports["KWOK_PORT"]),
            "serverAddress": "127.0.0.1:" + ports["KWOK_PORT"],
            "tlsCertFile": os.path.join(dirpath, "pki", "kwok.crt"),
            "tlsPrivateKeyFile": os.path.join(dirpath, "pki", "kwok.key"),
            "manageNodesWithAnnotationSelector": KWOK_NODE_ANNOTATION + "=fake",
            "enableDebuggingHandlers": True,   # the kubelet API (port forwarding)
            # Defaults kwok applies only without a config file.
            "podPlayStageParallelism": 4, "nodePlayStageParallelism": 4,
            "nodeLeaseParallelism": 4, "podsOnNodeSyncParallelism": 1,
        }}]
    for ns, fwd in PORT_FORWARDS.items():
        docs.append({
            "apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "ClusterPortForward",
            "metadata": {"name": "keycloak-" + ns},
            "spec": {"selector": {"matchNamespaces": [ns]},
                     "forwards": [{"ports": [p], "target": {"address": target[scheme][0], "port": target[scheme][1]}}
                                  for p, scheme in sorted(fwd.items())]}})
    with open(os.path.join(HERE, "kwok", "stages.yaml")) as f:
        stages = f.read().replace("@TESTHOST_IP@", testhost_ip)
    with open(out + ".tmp", "w") as f:
        f.write("\n---\n".join(json.dumps(d, indent=1) for d in docs) + "\n---\n" + stages)
    os.replace(out + ".tmp", out)


def main(argv):
    if len(argv) == 4 and argv[1] == "seed":
        seed(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "kwok-config":
        kwok_config(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
