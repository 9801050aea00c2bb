# Checks of the deployment layouts and the service-proxy test host; sourced by
# tests/sandbox/check (uses its check/expect_forbidden helpers, $OUT and $HDR).
# Credentials are read the way a client would (from the Kubernetes objects)
# and travel only through stdin and the 0600 header file $HDR.
# shellcheck shell=bash

LC_CA="$(mktemp)"   # a CA read from a Secret
trap 'lc_pf_stop; rm -f "$OUT" "$HDR" "$LC_CA"' EXIT

lc_secret() { # namespace name key -> value on stdout
  local key="${3//./\\.}"
  kubectl get secret -n "$1" "$2" -o "jsonpath={.data.$key}" | base64 -d
}

# Token response on stdin -> header file $HDR, or the error on stdout and failure.
LC_TOKEN_PY='
import json, sys
r = json.load(sys.stdin)
if "access_token" not in r:
    print("no token: %s" % {k: r.get(k) for k in ("error", "error_description")})
    sys.exit(1)
open(sys.argv[1], "w").write("Authorization: Bearer " + r["access_token"] + "\n")
'

lc_login_password() { # token-url user cafile (password on stdin)
  curl -sS --cacert "$3" --data grant_type=password --data client_id=admin-cli \
    --data-urlencode "username=$2" --data-urlencode "password@-" "$1" |
    python3 -c "$LC_TOKEN_PY" "$HDR"
}

lc_login_client() { # token-url client-id cafile (secret on stdin)
  curl -sS --cacert "$3" --data grant_type=client_credentials --data-urlencode "client_id=$2" \
    --data-urlencode "client_secret@-" "$1" |
    python3 -c "$LC_TOKEN_PY" "$HDR"
}

lc_reads_shasta() { # keycloak-url cafile: the token in $HDR may look up clients in shasta
  local out
  out="$(curl -fsS --cacert "$2" -H @"$HDR" "$1/admin/realms/shasta/clients?clientId=my-test-client")" || return 1
  [[ "$out" == *'"clientId":"my-test-client"'* ]] || { echo "unexpected: $out"; return 1; }
}

# --- Keycloak Operator layouts: everything from the CR and its Secrets.

lc_cr() { kubectl get keycloaks.k8s.keycloak.org -n "$1" keycloak -o "jsonpath=$2"; }

lc_operator_ca() { # ns: ca.crt of the CR's spec.http.tlsSecret -> $LC_CA, equal to the sandbox CA
  local tls
  tls="$(lc_cr "$1" '{.spec.http.tlsSecret}')" || return 1
  [[ "$(kubectl get secret -n "$1" "$tls" -o 'jsonpath={.type}')" == kubernetes.io/tls ]] || { echo "$tls is not kubernetes.io/tls"; return 1; }
  lc_secret "$1" "$tls" ca.crt >"$LC_CA" || return 1
  diff -q "$LC_CA" "$SANDBOX_CA_FILE"
}

lc_operator_url() { # ns -> hostname URL (checked) on stdout
  local url rp
  url="$(lc_cr "$1" '{.spec.hostname.hostname}')" || return 1
  rp="$(lc_cr "$1" '{.spec.additionalOptions[?(@.name=="http-relative-path")].value}')" || return 1
  [[ "$url" == "$SANDBOX_KEYCLOAK_URL" && "$rp" == /keycloak ]] || { echo "hostname $url, http-relative-path $rp"; return 1; }
  echo "$url"
}

operator_user_layout() { # ns: <name>-initial-admin logs in and may read shasta
  local url user
  url="$(lc_operator_url "$1")" || { echo "$url"; return 1; }
  lc_operator_ca "$1" || return 1
  [[ "$(kubectl get secret -n "$1" keycloak-initial-admin -o 'jsonpath={.type}')" == kubernetes.io/basic-auth ]] || return 1
  user="$(lc_secret "$1" keycloak-initial-admin username)" || return 1
  lc_secret "$1" keycloak-initial-admin password |
    lc_login_password "$url/realms/master/protocol/openid-connect/token" "$user" "$LC_CA" || return 1
  lc_reads_shasta "$url" "$LC_CA"
}

operator_sa_layout() { # ns: spec.bootstrapAdmin.service.secret logs in and may read shasta
  local url sec cid
  url="$(lc_operator_url "$1")" || { echo "$url"; return 1; }
  lc_operator_ca "$1" || return 1
  sec="$(lc_cr "$1" '{.spec.bootstrapAdmin.service.secret}')"
  [[ -n "$sec" ]] || { echo "no spec.bootstrapAdmin.service.secret"; return 1; }
  cid="$(lc_secret "$1" "$sec" client-id)" || return 1
  lc_secret "$1" "$sec" client-secret |
    lc_login_client "$url/realms/master/protocol/openid-connect/token" "$cid" "$LC_CA" || return 1
  lc_reads_shasta "$url" "$LC_CA"
}

initial_admin_is_stale() { # ns: the user of <name>-initial-admin no longer exists
  local user out
  user="$(lc_secret "$1" keycloak-initial-admin username)" || return 1
  if out="$(lc_secret "$1" keycloak-initial-admin password |
        lc_login_password "$SANDBOX_KEYCLOAK_TOKEN_URL" "$user" "$SANDBOX_CA_FILE")"; then
    echo "user $user can still log in"; return 1
  fi
  [[ "$out" == *invalid_grant* ]] || { echo "unexpected: $out"; return 1; }
  admin_login >/dev/null || return 1   # the sandbox admin: is the user really gone?
  out="$(curl -fsS --cacert "$SANDBOX_CA_FILE" -H @"$HDR" \
    "$SANDBOX_KEYCLOAK_URL/admin/realms/master/users?exact=true&username=$user")" || return 1
  [[ "$out" == "[]" ]] || { echo "user $user exists: $out"; return 1; }
}

operator_owns_statefulset() { # ns: the operator's StatefulSet points at the CR
  local uid owner
  uid="$(lc_cr "$1" '{.metadata.uid}')"
  owner="$(kubectl get statefulset -n "$1" keycloak -o 'jsonpath={.metadata.ownerReferences[0].uid}')"
  [[ -n "$uid" && "$uid" == "$owner" ]] || { echo "CR uid $uid, StatefulSet owner $owner"; return 1; }
}

# --- Workload layouts: credentials from the container environment.

# Print one env var of a workload's first container: literal value, or
# "secret NAME KEY", or "configmap-env NAME" when it comes from envFrom.
LC_ENV_PY='
import json, sys
name = sys.argv[1]
c = json.load(sys.stdin)["spec"]["template"]["spec"]["containers"][0]
for e in c.get("env", []):
    if e["name"] == name:
        if "value" in e:
            print("value", e["value"])
        else:
            r = e["valueFrom"]["secretKeyRef"]
            print("secret", r["name"], r["key"])
        sys.exit(0)
for f in c.get("envFrom", []):
    if "configMapRef" in f:
        print("configmap-env", f["configMapRef"]["name"])
        sys.exit(0)
sys.exit("no %s" % name)
'

lc_env() { # ns kind/name VAR -> the value, resolved
  local how a b
  read -r how a b < <(kubectl get -n "$1" "$2" -o json | python3 -c "$LC_ENV_PY" "$3") || return 1
  case "$how" in
    value) printf '%s' "$a" ;;
    secret) lc_secret "$1" "$a" "$b" ;;
    configmap-env) kubectl get cm -n "$1" "$a" -o "jsonpath={.data.$3}" ;;
    *) return 1 ;;
  esac
}

workload_layout() { # ns kind/name user-var password-var: env credentials log in, relative path /keycloak
  local user rp
  user="$(lc_env "$1" "$2" "$3")" || { echo "cannot resolve $3"; return 1; }
  rp="$(lc_env "$1" "$2" KC_HTTP_RELATIVE_PATH)" || return 1
  [[ "${rp%/}" == /keycloak ]] || { echo "KC_HTTP_RELATIVE_PATH=$rp"; return 1; }
  lc_env "$1" "$2" "$4" | lc_login_password "$SANDBOX_KEYCLOAK_TOKEN_URL" "$user" "$SANDBOX_CA_FILE" || return 1
  lc_reads_shasta "$SANDBOX_KEYCLOAK_URL" "$SANDBOX_CA_FILE"
}

# Bitnami's default: KC_BOOTSTRAP_ADMIN_PASSWORD_FILE (from the envFrom
# ConfigMap) is a file of the projected volume holding Secret kc-keycloak.
bitnami_password_file() {
  local file user sources
  file="$(kubectl get cm -n kc-bitnami-chart kc-keycloak-env-vars -o 'jsonpath={.data.KC_BOOTSTRAP_ADMIN_PASSWORD_FILE}')"
  [[ "$file" == /opt/bitnami/keycloak/secrets/admin-password ]] || { echo "password file: $file"; return 1; }
  sources="$(kubectl get statefulset -n kc-bitnami-chart kc-keycloak -o \
    'jsonpath={.spec.template.spec.containers[0].volumeMounts[?(@.name=="keycloak-secrets")].mountPath} {.spec.template.spec.volumes[?(@.name=="keycloak-secrets")].projected.sources[0].secret.name}')"
  [[ "$sources" == "/opt/bitnami/keycloak/secrets kc-keycloak" ]] || { echo "volume: $sources"; return 1; }
  user="$(lc_env kc-bitnami-chart statefulset/kc-keycloak KC_BOOTSTRAP_ADMIN_USERNAME)" || return 1
  lc_secret kc-bitnami-chart kc-keycloak admin-password |
    lc_login_password "$SANDBOX_KEYCLOAK_TOKEN_URL" "$user" "$SANDBOX_CA_FILE" || return 1
  lc_reads_shasta "$SANDBOX_KEYCLOAK_URL" "$SANDBOX_CA_FILE"
}

keycloakx_ingress() {
  local out
  out="$(kubectl get ingress -n kc-keycloakx-bootstrap kc-keycloakx \
    -o 'jsonpath={.spec.tls} {.spec.rules[0].host} {.spec.rules[0].http.paths[0].path} {.spec.rules[0].http.paths[0].backend.service.name}')"
  [[ "$out" == " sso.example.test /keycloak/ kc-keycloakx-http" ]] || { echo "ingress: $out"; return 1; }
}

openshift_route() {
  local out
  out="$(kubectl get routes.route.openshift.io -n kc-openshift keycloak \
    -o 'jsonpath={.spec.host} {.spec.tls.termination} {.spec.to.name}')"
  [[ "$out" == "keycloak-kc-openshift.apps.example.test edge keycloak" ]] || { echo "route: $out"; return 1; }
}

two_keycloaks() {
  local crs deps stss
  crs="$(kubectl get keycloaks.k8s.keycloak.org -n kc-two -o name | wc -l)"
  deps="$(kubectl get deployments -n kc-two -o name)"
  stss="$(kubectl get statefulsets -n kc-two -o name)"
  [[ "$crs" == 1 && "$deps" == deployment.apps/keycloak-plain && "$stss" == statefulset.apps/keycloak ]] ||
    { echo "CRs $crs, deployments $deps, statefulsets $stss"; return 1; }
}

csm_workload() {
  local out
  out="$(kubectl get statefulset -n services cray-keycloak -o json | python3 -c "$LC_ENV_PY" KEYCLOAK_ADMIN_PASSWORD)"
  [[ "$out" == "secret keycloak-master-admin-auth password" ]] || { echo "$out"; return 1; }
}

# --- Contexts.

nodiscover_may_get_secret() {
  kubectl --context sandbox-nodiscover get secret -n kc-operator keycloak-initial-admin -o name &&
    kubectl --context sandbox-nodiscover get secret -n services keycloak-master-admin-auth -o name
}

# --- Test host and the API server's service proxy.

testhost_netns() {
  local names addrs
  names="$(ip netns list | awk '{print $1}')"
  grep -qx "$SANDBOX_TESTHOST_NETNS" <<<"$names" || { echo "no netns $SANDBOX_TESTHOST_NETNS in: $names"; return 1; }
  kill -0 "$SANDBOX_TESTHOST_RELAY_PID" || return 1
  addrs="$(ip -n "$SANDBOX_TESTHOST_NETNS" -4 -o addr show dev veth0)"
  grep -q " $SANDBOX_TESTHOST_IP/30 " <<<"$addrs" || { echo "veth0 lacks $SANDBOX_TESTHOST_IP/30: $addrs"; return 1; }
}

openid_json() { # the output of a command: Keycloak's master openid-configuration
  local out
  out="$("$@")" || { echo "$out"; return 1; }
  [[ "$out" == *'"token_endpoint"'* ]] || { echo "unexpected: ${out:0:300}"; return 1; }
}

proxy_get() { # context path
  kubectl --context "$1" get --raw "$2/keycloak/realms/master/.well-known/openid-configuration"
}

layout_services_proxy() {
  local p out
  for p in kc-operator/services/https:keycloak-service:8443 kc-operator-sa/services/https:keycloak-service:8443 \
      kc-stale/services/https:keycloak-service:8443 \
      kc-two/services/https:keycloak-service:8443 kc-two/services/https:keycloak-plain:8443; do
    out="$(kubectl get --raw "/api/v1/namespaces/$p/proxy/keycloak/realms/master/.well-known/openid-configuration")" || return 1
    [[ "$out" == *token_endpoint* ]] || { echo "$p: ${out:0:200}"; return 1; }
  done
}

# The CSM admin password from the Secret, as sandbox-proxy reads it, in a token
# request POSTed through the service proxy (needs create on services/proxy).
PROXY_CERT=(--cert "$SANDBOX_DIR/pki/sandbox-proxy.crt" --key "$SANDBOX_DIR/pki/sandbox-proxy.key")
proxy_token() { # proxy-path
  local user
  user="$(kubectl --context sandbox-proxy get secret -n services keycloak-master-admin-auth -o 'jsonpath={.data.user}' | base64 -d)" || return 1
  kubectl --context sandbox-proxy get secret -n services keycloak-master-admin-auth -o 'jsonpath={.data.password}' |
    base64 -d |
    curl -sS --cacert "$SANDBOX_CA_FILE" "${PROXY_CERT[@]}" --data grant_type=password --data client_id=admin-cli \
      --data-urlencode "username=$user" --data-urlencode "password@-" \
      "$SANDBOX_APISERVER_URL$1/keycloak/realms/master/protocol/openid-connect/token" |
    python3 -c "$LC_TOKEN_PY" "$HDR"
}

# kube-apiserver deletes the Authorization header of every request it has
# authenticated (k8s.io/apiserver filters/authentication.go), so an admin
# call carrying a Keycloak bearer token arrives at Keycloak without it.
proxy_drops_bearer() { # proxy-path
  local code
  proxy_token "$1" || return 1
  code="$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$SANDBOX_CA_FILE" "${PROXY_CERT[@]}" -H @"$HDR" \
    "$SANDBOX_APISERVER_URL$1/keycloak/admin/realms/shasta/clients?clientId=my-test-client")"
  [[ "$code" == 401 ]] || { echo "admin call through the proxy answered $code"; return 1; }
}

proxy_error() { # path expected-substring...: kubectl get --raw fails and says so
  local path="$1" out want; shift
  if out="$(kubectl get --raw "$path/keycloak/realms/master" 2>&1)"; then echo "unexpectedly answered: ${out:0:200}"; return 1; fi
  for want in "$@"; do
    [[ "$out" == *"$want"* ]] || { echo "no '$want' in: $out"; return 1; }
  done
  echo "$out"
}

# --- Nodes, pods from their controllers, port forwarding (kwok).

# Every layout's Keycloak: namespace, workload, Service, Service port, scheme.
LC_KEYCLOAKS=(
  "kc-operator statefulset/keycloak keycloak-service 8443 https"
  "kc-operator-sa statefulset/keycloak keycloak-service 8443 https"
  "kc-stale statefulset/keycloak keycloak-service 8443 https"
  "kc-bitnami statefulset/kc-keycloak kc-keycloak 80 http"
  "kc-bitnami-chart statefulset/kc-keycloak kc-keycloak 80 http"
  "kc-keycloakx statefulset/kc-keycloakx kc-keycloakx-http 80 http"
  "kc-keycloakx-bootstrap statefulset/kc-keycloakx kc-keycloakx-http 80 http"
  "kc-openshift statefulset/keycloak keycloak 8080 http"
  "kc-two statefulset/keycloak keycloak-service 8443 https"
  "kc-two deployment/keycloak-plain keycloak-plain 8443 https"
  "kc-internal statefulset/keycloak keycloak-service 8443 https"
  "services statefulset/cray-keycloak cray-keycloak-http 80 http"
  "services statefulset/cray-keycloak keycloak 8080 http"
)

nodes_ready() {
  local n out
  for n in $SANDBOX_NODES; do
    out="$(kubectl get node "$n" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.addresses[?(@.type=="InternalIP")].address} {.status.daemonEndpoints.kubeletEndpoint.Port}')" || return 1
    [[ "$out" == "True 127.0.0.1 "[0-9]* ]] || { echo "node $n: Ready InternalIP port = $out"; return 1; }
  done
}

# Pods of a workload (JSON on stdin): all Running and Ready on a sandbox node,
# each owned by the workload's controller (StatefulSet, or the Deployment's
# ReplicaSet); prints "NAME UID" per pod.
LC_PODS_PY='
import json, sys
kind, name, nodes, want = sys.argv[1], sys.argv[2], sys.argv[3].split(), int(sys.argv[4])
pods = [p for p in json.load(sys.stdin)["items"] if not p["metadata"].get("deletionTimestamp")]
if len(pods) != want:
    sys.exit("%d pods, want %d" % (len(pods), want))
for p in pods:
    m, st = p["metadata"], p.get("status", {})
    owner = next((o for o in m.get("ownerReferences", []) if o.get("controller")), {})
    okind = "StatefulSet" if kind == "statefulset" else "ReplicaSet"
    if owner.get("kind") != okind or (okind == "StatefulSet" and owner.get("name") != name) \
            or (okind == "ReplicaSet" and not owner.get("name", "").startswith(name + "-")):
        sys.exit("pod %s is controlled by %s" % (m["name"], owner or "nothing"))
    ready = {c["type"]: c["status"] for c in st.get("conditions", [])}.get("Ready")
    if st.get("phase") != "Running" or ready != "True" or p["spec"].get("nodeName") not in nodes:
        sys.exit("pod %s: phase %s, Ready %s, node %s" % (m["name"], st.get("phase"), ready, p["spec"].get("nodeName")))
    print(m["name"], m["uid"])
'

lc_selector() { # ns kind/name -> label selector of the workload
  kubectl get -n "$1" "$2" -o json | python3 -c '
import json, sys
print(",".join("%s=%s" % kv for kv in sorted(json.load(sys.stdin)["spec"]["selector"]["matchLabels"].items())))'
}

lc_workload_pods() { # ns kind/name: pods Running+Ready, from the controller; prints NAME UID lines
  local sel want
  sel="$(lc_selector "$1" "$2")" || return 1
  want="$(kubectl get -n "$1" "$2" -o 'jsonpath={.spec.replicas}')" || return 1
  kubectl get pods -n "$1" -l "$sel" -o json | python3 -c "$LC_PODS_PY" "${2%%/*}" "${2#*/}" "$SANDBOX_NODES" "$want"
}

layout_pods_ready() {
  local line ns wl svc p scheme
  for line in "${LC_KEYCLOAKS[@]}"; do
    read -r ns wl svc p scheme <<<"$line"
    lc_workload_pods "$ns" "$wl" >/dev/null || { echo "($ns $wl)"; return 1; }
  done
}

# The Service's EndpointSlice is the endpointslice controller's and lists a
# ready endpoint for each of the workload's pods.
layout_endpointslices() {
  local line ns wl svc p scheme out
  for line in "${LC_KEYCLOAKS[@]}"; do
    read -r ns wl svc p scheme <<<"$line"
    out="$(kubectl get endpointslices -n "$ns" -l "kubernetes.io/service-name=$svc" \
      -o 'jsonpath={range .items[*]}{.metadata.labels.endpointslice\.kubernetes\.io/managed-by}{range .endpoints[*]} {.conditions.ready}/{.targetRef.kind}{end}{"\n"}{end}')" || return 1
    [[ "$out" == "endpointslice-controller.k8s.io true/Pod"* && "$out" != *false* ]] ||
      { echo "$ns/$svc: $out"; return 1; }
  done
}

# `kubectl port-forward svc/NAME :PORT` in the background (its own pid,
# killed afterwards), then GET /keycloak/realms/master through it: https
# verified with the sandbox CA (Keycloak's certificate is for 127.0.0.1).
LC_PF_PID=""
lc_pf_stop() { if [[ -n "$LC_PF_PID" ]]; then kill "$LC_PF_PID" 2>/dev/null; wait "$LC_PF_PID" 2>/dev/null; LC_PF_PID=""; fi; }

lc_port_forward_get() { # ns service port scheme
  local log local_port i out rc=0
  log="$(mktemp)"
  kubectl port-forward -n "$1" "svc/$2" ":$3" >"$log" 2>&1 &
  LC_PF_PID=$!
  for ((i = 0; i < 100; i++)); do
    local_port="$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) .*/\1/p;T;q' "$log")"
    [[ -n "$local_port" ]] && break
    kill -0 "$LC_PF_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$local_port" ]]; then
    echo "$1/$2:$3: kubectl port-forward did not start: $(tail -n 5 "$log")"; rc=1
  else
    if [[ "$4" == https ]]; then
      out="$(curl -fsS --max-time 10 --cacert "$SANDBOX_CA_FILE" "https://127.0.0.1:$local_port/keycloak/realms/master")" || rc=1
    else
      out="$(curl -fsS --max-time 10 "http://127.0.0.1:$local_port/keycloak/realms/master")" || rc=1
    fi
    if ((rc == 0)) && [[ "$out" != *'"realm":"master"'* ]]; then rc=1; fi
    ((rc == 0)) || echo "$1/$2:$3 ($4): ${out:0:200} $(tail -n 3 "$log")"
  fi
  lc_pf_stop
  rm -f "$log"
  return "$rc"
}

layout_port_forwards() {
  local line ns wl svc p scheme
  for line in "${LC_KEYCLOAKS[@]}"; do
    read -r ns wl svc p scheme <<<"$line"
    lc_port_forward_get "$ns" "$svc" "$p" "$scheme" || return 1
  done
}

# Delete a workload's pod: its controller makes a new one (new uid) that
# becomes Running and Ready.
pod_replaced() { # ns kind/name
  local before after pod i
  before="$(lc_workload_pods "$1" "$2")" || { echo "$before"; return 1; }
  read -r pod _ <<<"$before"
  kubectl delete pod -n "$1" "$pod" --wait=false >/dev/null || return 1
  for ((i = 0; i < 120; i++)); do
    if after="$(lc_workload_pods "$1" "$2" 2>/dev/null)" && ! grep -qF "$(head -n1 <<<"$before")" <<<"$after"; then
      return 0
    fi
    sleep 0.5
  done
  echo "no ready replacement for pod $pod within 60s: $after"
  return 1
}

# Keycloak's HTTPS port: the certificate is checked for 127.0.0.1:PORT while
# curl connects to the test host.
LC_KC_PORT="${SANDBOX_KEYCLOAK_URL#https://127.0.0.1:}"
LC_KC_PORT="${LC_KC_PORT%%/*}"

layout_checks() {

check "CRD keycloaks.k8s.keycloak.org (v2alpha1) is established" \
  test "$(kubectl get crd keycloaks.k8s.keycloak.org -o 'jsonpath={.status.conditions[?(@.type=="Established")].status} {.spec.versions[0].name}')" = "True v2alpha1"
check "kc-operator: CR hostname URL + http-relative-path; initial-admin logs in (CA from tlsSecret ca.crt)" \
  operator_user_layout kc-operator
check "kc-operator: the operator's StatefulSet is owned by the CR" operator_owns_statefulset kc-operator
check "kc-operator-sa: spec.bootstrapAdmin.service.secret (client_credentials) logs in" \
  operator_sa_layout kc-operator-sa
check "kc-operator-sa: its keycloak-initial-admin user was deleted" initial_admin_is_stale kc-operator-sa
check "kc-stale: keycloak-initial-admin's user was deleted (invalid_grant)" initial_admin_is_stale kc-stale
check "kc-bitnami (Bitnami chart, usePasswordFiles=false): user in ConfigMap, password secretKeyRef log in" \
  workload_layout kc-bitnami statefulset/kc-keycloak KC_BOOTSTRAP_ADMIN_USERNAME KC_BOOTSTRAP_ADMIN_PASSWORD
check "kc-bitnami-chart (Bitnami chart defaults): password file from a projected Secret logs in" bitnami_password_file
check "kc-keycloakx (keycloakx README example): KEYCLOAK_ADMIN literal, password secretKeyRef log in" \
  workload_layout kc-keycloakx statefulset/kc-keycloakx KEYCLOAK_ADMIN KEYCLOAK_ADMIN_PASSWORD
check "kc-keycloakx-bootstrap: KC_BOOTSTRAP_ADMIN_* from Secret keycloak-admin log in" \
  workload_layout kc-keycloakx-bootstrap statefulset/kc-keycloakx KC_BOOTSTRAP_ADMIN_USERNAME KC_BOOTSTRAP_ADMIN_PASSWORD
check "kc-keycloakx-bootstrap: Ingress sso.example.test /keycloak/ -> kc-keycloakx-http" keycloakx_ingress
check "kc-openshift (getting-started manifest): literal KC_BOOTSTRAP_ADMIN_* log in" \
  workload_layout kc-openshift statefulset/keycloak KC_BOOTSTRAP_ADMIN_USERNAME KC_BOOTSTRAP_ADMIN_PASSWORD
check "kc-openshift: Route (route.openshift.io/v1) keycloak-kc-openshift.apps.example.test, edge TLS -> keycloak" \
  openshift_route
check "kc-two: one Keycloak CR (+ its StatefulSet) and Deployment keycloak-plain" two_keycloaks
check "kc-two: CR initial-admin logs in" operator_user_layout kc-two
check "kc-two: Deployment keycloak-plain env admin logs in" \
  workload_layout kc-two deployment/keycloak-plain KC_BOOTSTRAP_ADMIN_USERNAME KC_BOOTSTRAP_ADMIN_PASSWORD
check "services: CSM StatefulSet cray-keycloak takes its admin from keycloak-master-admin-auth" csm_workload
check "sandbox-nodiscover may get the layout and CSM Secrets" nodiscover_may_get_secret
check "sandbox-nodiscover is Forbidden to list keycloaks cluster-wide" \
  expect_forbidden kubectl --context sandbox-nodiscover get keycloaks.k8s.keycloak.org -A
check "sandbox-nodiscover is Forbidden to list statefulsets cluster-wide" \
  expect_forbidden kubectl --context sandbox-nodiscover get statefulsets -A
check "sandbox-nodiscover is Forbidden to list deployments cluster-wide" \
  expect_forbidden kubectl --context sandbox-nodiscover get deployments -A
check "sandbox-nodiscover is Forbidden to list keycloaks in kc-operator" \
  expect_forbidden kubectl --context sandbox-nodiscover get keycloaks.k8s.keycloak.org -n kc-operator
check "sandbox-namespaced may list keycloaks in its context namespace kc-operator" \
  kubectl --context sandbox-namespaced get keycloaks.k8s.keycloak.org
check "sandbox-namespaced is Forbidden to list keycloaks cluster-wide" \
  expect_forbidden kubectl --context sandbox-namespaced get keycloaks.k8s.keycloak.org -A

check "nodes $SANDBOX_NODES: Ready (kwok), InternalIP 127.0.0.1, kubelet port set" nodes_ready
check "each layout's Keycloak pods: Running, Ready, on a kwok node, created by its controller" layout_pods_ready
check "each layout Service's EndpointSlice: from the endpointslice controller, endpoints ready" layout_endpointslices
check "kubectl port-forward to each layout's Service port answers /keycloak/realms/master (https CA-verified)" \
  layout_port_forwards
check "kc-two: a deleted Deployment pod is replaced by a new Ready one" pod_replaced kc-two deployment/keycloak-plain
check "kc-bitnami: a deleted StatefulSet pod is recreated and Ready" pod_replaced kc-bitnami statefulset/kc-keycloak

check "test host: netns $SANDBOX_TESTHOST_NETNS, $SANDBOX_TESTHOST_IP on veth0, relay alive" testhost_netns
check "test host: HTTPS to Keycloak through $SANDBOX_TESTHOST_IP:$SANDBOX_TESTHOST_HTTPS_PORT (CA-verified)" \
  openid_json curl -fsS --cacert "$SANDBOX_CA_FILE" \
  --connect-to "127.0.0.1:$LC_KC_PORT:$SANDBOX_TESTHOST_IP:$SANDBOX_TESTHOST_HTTPS_PORT" \
  "$SANDBOX_KEYCLOAK_URL/realms/master/.well-known/openid-configuration"
check "test host: HTTP to Keycloak through $SANDBOX_TESTHOST_IP:$SANDBOX_TESTHOST_HTTP_PORT" \
  openid_json curl -fsS "http://$SANDBOX_TESTHOST_IP:$SANDBOX_TESTHOST_HTTP_PORT/keycloak/realms/master/.well-known/openid-configuration"
check "proxy: services/https:keycloak-testhost:8443 answers Keycloak's JSON" \
  openid_json proxy_get sandbox "$SANDBOX_PROXY_HTTPS_PATH"
check "proxy: services/cray-keycloak-http:80 (CSM's Service, http) answers Keycloak's JSON" \
  openid_json proxy_get sandbox "$SANDBOX_PROXY_CSM_PATH"
check "proxy: the layouts' Services answer (Operator https:*-service:8443, plain Deployment)" \
  layout_services_proxy
check "proxy: sandbox-proxy gets a token through the CSM Service (password in the POST body)" \
  proxy_token "$SANDBOX_PROXY_CSM_PATH"
check "proxy: sandbox-proxy gets a token through https:keycloak-testhost:8443" \
  proxy_token "$SANDBOX_PROXY_HTTPS_PATH"
check "proxy: the API server drops the Authorization header (admin call answers 401)" \
  proxy_drops_bearer "$SANDBOX_PROXY_HTTPS_PATH"
check "sandbox-noproxy may get the admin Secret" \
  kubectl --context sandbox-noproxy get secret -n services keycloak-master-admin-auth -o name
check "sandbox-noproxy is Forbidden to use services/proxy" \
  expect_forbidden proxy_get sandbox-noproxy "$SANDBOX_PROXY_HTTPS_PATH"
check "proxy: keycloak-noendpoints -> 503 no endpoints" \
  proxy_error "$SANDBOX_PROXY_NOENDPOINTS_PATH" ServiceUnavailable "no endpoints available"
check "proxy: keycloak-refused -> connection refused" \
  proxy_error "$SANDBOX_PROXY_REFUSED_PATH" "connection refused"
check "proxy: keycloak-reset -> connection reset" \
  proxy_error "$SANDBOX_PROXY_RESET_PATH" "reset"
}

if [[ -z "${SANDBOX_LAYOUT_NAMESPACES:-}" || -z "${SANDBOX_TESTHOST_IP:-}" || -z "${SANDBOX_NODES:-}" ]]; then
  check "layouts, test host and nodes seeded (env has SANDBOX_LAYOUT_NAMESPACES, SANDBOX_TESTHOST_IP, SANDBOX_NODES)" false
else
  layout_checks
fi
