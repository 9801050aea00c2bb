#!/usr/bin/env python3
"""Measurement driver for tests/bench/run (standard library only).

  bench.py measure ENV_FILE SIZE RUNS OUT.json  one sandbox (its env file), one realm size
  bench.py startup OUT.json                     plugin start-up time and binary size

Every contender runs as a child process timed with perf_counter around
fork/exec..wait4 (wait4 also gives its peak RSS: the largest process of the
run, kubectl included). Contenders alternate round-robin, the starting
contender rotating from round to round, after one warm-up run each that goes
through loopback counting proxies (countproxy.py) to count requests and bytes.
A contender whose warm-up takes longer than BENCH_SLOW_SECONDS (60) gets only
BENCH_SLOW_RUNS (1) timed runs.
"""

import base64
import json
import os
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BENCH = os.path.join(ROOT, "tests", "bench")
RELEASE = os.path.join(ROOT, "target", "release")
PLUGIN = os.path.join(RELEASE, "kubectl-keycloak")
WORK = os.path.join(ROOT, "target", "bench")
CLIENT = "my-test-client"
# The service-account admin the "account" contender logs in as, under a name
# of its own: the default Secret would make every other contender use it.
ACCOUNT = "kubectl-keycloak-bench"
RUN_TIMEOUT = 1200

CONTENDERS = [
    ("kubectl-plugin", "kubectl keycloak"),
    ("plugin", "plugin binary"),
    ("forwarded", "plugin binary through a port-forward"),
    ("named", "plugin binary, CSM's admin Secret named (no account lookup)"),
    ("account", "plugin binary, service-account admin (admin-account create)"),
    ("documented", "documented procedure"),
    ("kcadm", "kcadm.sh"),
    ("floor", "floor"),
]


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_env(path):
    env = {}
    for line in open(path):
        m = re.match(r"export (\w+)=(.*)$", line.strip())
        if m:
            env[m.group(1)] = m.group(2)
    return env


# ------------------------------------------------------------------ running

def run(argv, env, stdin_data=None):
    """Run argv; wall seconds, exit code, stdout, stderr, CPU time of the child.

    (ru_maxrss of a child forked from Python includes Python's RSS from before
    the exec, so peak RSS is measured separately under /usr/bin/time.)"""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    stdin = subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL
    load1 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdin=stdin, stdout=out, stderr=err, start_new_session=True)
    if stdin_data is not None:
        proc.stdin.write(stdin_data)
        proc.stdin.close()
    expired = threading.Event()

    def expire():
        expired.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(RUN_TIMEOUT, expire)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    timer.cancel()
    if expired.is_set():
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of the run's process group
        except ProcessLookupError:
            pass
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    return {
        "wall_s": wall,
        "exit": proc.returncode,
        "stdout": out.read().decode(errors="replace"),
        "stderr": err.read().decode(errors="replace"),
        "maxrss_kb": usage.ru_maxrss,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "load1": load1,
        "timed_out": expired.is_set(),
    }


def exported_value(stdout):
    """CLIENT_SECRET as a shell would set it from the contender's output."""
    if not stdout.strip():
        return None
    r = subprocess.run(["bash", "-c", 'eval "$1" >/dev/null 2>&1; printf %s "${CLIENT_SECRET-}"', "_", stdout],
                       capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    return r.stdout


def shape(value, truth):
    """What the output set CLIENT_SECRET to, without recording the secret itself."""
    if value is None:
        return "no output"
    if value == truth:
        return "the secret"
    if value in ("", "null"):
        return repr(value)
    return "another value"


def verdict(value, truth):
    if value is None or value == "":
        return "EMPTY"
    return "correct" if value == truth else "WRONG"


def parse_floor(stdout):
    rows = []
    for line in stdout.splitlines():
        p = line.split()
        if len(p) == 9:
            rows.append({"label": p[0], "round": int(p[1]), "connects": int(p[2]), "time_s": float(p[3]),
                         "bytes": int(p[4]), "status": int(p[5]), "http": p[6],
                         "connect_s": float(p[7]), "appconnect_s": float(p[8])})
    labels = ["kube-secret", "token", "lookup", "secret"]
    warm = {l: statistics.median([r["time_s"] for r in rows if r["label"] == l and r["round"] > 1 and r["connects"] == 0] or [float("nan")])
            for l in labels}
    cold = {l: next((r["time_s"] for r in rows if r["label"] == l and r["round"] == 1), float("nan")) for l in labels}
    body = {l: next((r["bytes"] for r in rows if r["label"] == l), 0) for l in labels}
    # curl's TCP connect and TLS handshake to each server (first round, new connection)
    handshake = {l: next((r["appconnect_s"] for r in rows if r["label"] == l and r["round"] == 1), float("nan"))
                 for l in ("kube-secret", "token")}
    ok = bool(rows) and all(r["status"] == 200 for r in rows)
    return {"requests": rows, "warm_s": warm, "cold_s": cold, "body_bytes": body, "handshake_s": handshake,
            "sum_warm_s": sum(warm.values()), "sum_round1_s": sum(cold.values()), "all_200": ok}


# ------------------------------------------------------------------ Keycloak truth

class Admin:
    """The ground truth, read through the admin API directly."""

    def __init__(self, url, ca, creds):
        self.url, self.creds = url, creds
        self.ctx = ssl.create_default_context(cafile=ca)
        self.token, self.refresh, self.token_at = None, None, 0.0
        self.user_id = None

    def _bearer(self):
        """One password login for the whole measurement, then refresh grants:
        the harness itself adds exactly one admin session, before any count."""
        if self.token is None or time.time() - self.token_at > 30:
            form = {"client_id": self.creds["client-id"]}
            if self.refresh:
                form.update(grant_type="refresh_token", refresh_token=self.refresh)
            else:
                form.update(grant_type="password", username=self.creds["user"], password=self.creds["password"])
            with urllib.request.urlopen(f"{self.url}/realms/master/protocol/openid-connect/token",
                                        urllib.parse.urlencode(form).encode(), context=self.ctx, timeout=60) as r:
                answer = json.load(r)
            self.token, self.refresh = answer["access_token"], answer.get("refresh_token")
            self.token_at = time.time()
        return self.token

    def sessions(self):
        """The admin user's live sessions in Keycloak (the harness's own included, a constant)."""
        if self.user_id is None:
            users = self.get(f"/master/users?username={urllib.parse.quote(self.creds['user'])}&exact=true")
            self.user_id = users[0]["id"]
        return len(self.get(f"/master/users/{self.user_id}/sessions?max=100000"))

    def client_sessions(self, client_id):
        """Live sessions of a master-realm client (the service-account admin's)."""
        found = self.get(f"/master/clients?clientId={urllib.parse.quote(client_id)}")
        return self.get(f"/master/clients/{found[0]['id']}/session-count")["count"] if found else 0

    def get(self, path):
        req = urllib.request.Request(f"{self.url}/admin/realms{path}", headers={"Authorization": "Bearer " + self._bearer()})
        with urllib.request.urlopen(req, context=self.ctx, timeout=300) as r:
            return json.load(r)

    def count_clients(self, realm):
        n = 0
        while True:
            page = self.get(f"/{realm}/clients?first={n}&max=1000")
            if not page:
                return n
            n += len(page)

    def secret(self, realm, client_id):
        found = self.get(f"/{realm}/clients?clientId={urllib.parse.quote(client_id)}")
        if not found:
            return None
        return self.get(f"/{realm}/clients/{found[0]['id']}/client-secret").get("value")


def kube_secret(env):
    r = subprocess.run(["kubectl", "get", "secret", "-n", "services", "keycloak-master-admin-auth", "-o", "json"],
                       env=env, capture_output=True, text=True, check=True)
    return {k: base64.b64decode(v).decode() for k, v in json.loads(r.stdout)["data"].items()}


# ------------------------------------------------------------------ setup

def port_of(url):
    return int(urllib.parse.urlsplit(url).port)


def issue_proxy_cert(sandbox, work):
    """A loopback serving certificate from the sandbox CA, for the counting proxies."""
    ca, ca_key = f"{sandbox['SANDBOX_DIR']}/pki/ca.crt", f"{sandbox['SANDBOX_DIR']}/pki/ca.key"
    crt, key = f"{work}/proxy.crt", f"{work}/proxy.key"
    if os.path.exists(crt) and subprocess.run(["openssl", "verify", "-CAfile", ca, crt], capture_output=True).returncode == 0:
        return crt, key
    ext = f"{work}/proxy.ext"
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", f"{work}/proxy.csr",
                    "-subj", "/CN=kubectl-keycloak bench proxy"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", f"{work}/proxy.csr", "-CA", ca, "-CAkey", ca_key,
                    "-CAserial", f"{work}/proxy-ca.srl", "-CAcreateserial", "-days", "30", "-sha256",
                    "-extfile", ext, "-out", crt], check=True, capture_output=True)
    return crt, key


class Proxies:
    """Counting proxies in front of Keycloak and the kube-apiserver (this run's own processes)."""

    def __init__(self, sandbox, work):
        crt, key = issue_proxy_cert(sandbox, work)
        ca, pki = sandbox["SANDBOX_CA_FILE"], f"{sandbox['SANDBOX_DIR']}/pki"
        self.procs, self.logs, self.ports = [], {}, {}
        for name, url, extra in (
            ("keycloak", sandbox["SANDBOX_KEYCLOAK_URL"], []),
            ("kube", sandbox["SANDBOX_APISERVER_URL"], ["--upstream-cert", f"{pki}/admin.crt", "--upstream-key", f"{pki}/admin.key"]),
        ):
            logf, portf = f"{work}/proxy-{name}.log", f"{work}/proxy-{name}.port"
            for f in (logf, portf):
                if os.path.exists(f):
                    os.remove(f)
            p = subprocess.Popen([sys.executable, f"{BENCH}/countproxy.py", "--upstream", f"127.0.0.1:{port_of(url)}",
                                  "--cert", crt, "--key", key, "--ca", ca, "--log", logf, "--port-file", portf, *extra],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(f"{work}/proxy-{name}.err", "w"))
            self.procs.append(p)
            self.logs[name] = logf
            deadline = time.time() + 20
            while not os.path.exists(portf):
                if p.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"counting proxy for {name} did not start (see {work}/proxy-{name}.err)")
                time.sleep(0.05)
            self.ports[name] = int(open(portf).read())
        path = urllib.parse.urlsplit(sandbox["SANDBOX_KEYCLOAK_URL"]).path
        self.keycloak_url = f"https://127.0.0.1:{self.ports['keycloak']}{path}"
        self.kubeconfig = f"{work}/kubeconfig-proxy"
        text = open(sandbox["KUBECONFIG"]).read().replace(sandbox["SANDBOX_APISERVER_URL"], f"https://127.0.0.1:{self.ports['kube']}")
        with open(self.kubeconfig, "w") as f:
            f.write(text)
        os.chmod(self.kubeconfig, 0o600)

    def offsets(self):
        return {n: os.path.getsize(p) if os.path.exists(p) else 0 for n, p in self.logs.items()}

    def since(self, offsets):
        counted = {}
        for name, path in self.logs.items():
            with open(path) as f:
                f.seek(offsets[name])
                entries = [json.loads(l) for l in f if l.strip()]
            reqs = [e for e in entries if "method" in e]
            counted[name] = {
                "connections": sum(1 for e in entries if e.get("event") == "connect"),
                "requests": len(reqs),
                "response_bytes": sum(e["response_bytes"] for e in reqs),
                "body_bytes": sum(e["body_bytes"] for e in reqs),
                "errors": sum(1 for e in entries if e.get("event") == "error"),
                "detail": [{k: e[k] for k in ("method", "path", "status", "body_bytes", "response_bytes", "json_items", "incomplete")
                            if k in e} for e in reqs],
            }
        return counted

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def python_for_documented():
    # The system interpreter, as on an admin node (a pyenv shim would add its own start-up).
    for cand in ("/usr/bin/python3", shutil.which("python3")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return "python3"


def contender_envs(sandbox, work, keycloak_url=None, kubeconfig=None):
    keycloak_url = keycloak_url or sandbox["SANDBOX_KEYCLOAK_URL"]
    base = {
        "PATH": RELEASE + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "TMPDIR": f"{work}/tmp",
        "KUBECONFIG": kubeconfig or sandbox["KUBECONFIG"],
        "KUBECACHEDIR": f"{WORK}/kube-cache",
    }
    plugin = dict(base, KUBECTL_KEYCLOAK_URL=keycloak_url, KUBECTL_KEYCLOAK_CA_FILE=sandbox["SANDBOX_CA_FILE"],
                  KUBECTL_KEYCLOAK_CONFIG=f"{work}/no-config-file.yaml")
    documented = dict(base, KEYCLOAK_URL=keycloak_url, KEYCLOAK_CA_FILE=sandbox["SANDBOX_CA_FILE"], PYTHON=python_for_documented())
    kcadm = dict(base, KEYCLOAK_URL=keycloak_url, JAVA_HOME=sandbox["SANDBOX_JAVA_HOME"],
                 KCADM=f"{sandbox['SANDBOX_KEYCLOAK_HOME']}/bin/kcadm.sh", KCADM_DIR=f"{work}/kcadm")
    floor = dict(base, FLOOR_APISERVER_URL=sandbox["SANDBOX_APISERVER_URL"], FLOOR_KEYCLOAK_URL=keycloak_url,
                 FLOOR_CA_FILE=sandbox["SANDBOX_CA_FILE"], FLOOR_CLIENT_CERT=f"{sandbox['SANDBOX_DIR']}/pki/admin.crt",
                 FLOOR_CLIENT_KEY=f"{sandbox['SANDBOX_DIR']}/pki/admin.key", FLOOR_CLIENT=CLIENT)
    # No Keycloak URL: CSM's default does not resolve here, so the plugin
    # forwards a port to Keycloak's pod through the API server and kwok.
    forwarded = {k: v for k, v in plugin.items() if k not in ("KUBECTL_KEYCLOAK_URL", "KUBECTL_KEYCLOAK_CA_FILE")}
    return {"kubectl-plugin": plugin, "plugin": plugin, "forwarded": forwarded, "named": plugin, "account": plugin,
            "documented": documented, "kcadm": kcadm, "floor": floor}


def argv_of(cid, client=CLIENT, extra=()):
    return {
        "kubectl-plugin": ["kubectl", "keycloak", "client-secret", client, *extra],
        "plugin": [PLUGIN, "client-secret", client, *extra],
        "forwarded": [PLUGIN, "client-secret", client, *extra],
        # What every run did before the account existed: one Secret read, no lookup of the account's.
        "named": [PLUGIN, "client-secret", client, "--admin-secret", "keycloak-master-admin-auth", *extra],
        "account": [PLUGIN, "client-secret", client, "--admin-secret", ACCOUNT, *extra],
        "documented": [f"{BENCH}/documented-procedure", client],
        "kcadm": [f"{BENCH}/kcadm-procedure", client],
        "floor": [f"{BENCH}/floor"],
    }[cid]


TRACE = re.compile(r"^kubectl-keycloak: trace: \[([\d.]+) ms\] (.*)$")
REQUEST = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (\S+) -> (\S+) \(([\d.]+) ms(?:, (\d+) bytes)?\)$")
STEP = re.compile(r"^(kubeconfig read|OS trust store).*\(([\d.]+) ms\)$")


def trace_rows(stderr):
    """The -v trace as events: what, when it ended (ms since start), how long it took (ms)."""
    rows = []
    for line in stderr.splitlines():
        m = TRACE.match(line)
        if not m:
            continue
        at, text = float(m.group(1)), m.group(2)
        req, step = REQUEST.match(text), STEP.match(text)
        if req:
            url = req.group(2)
            kind = ("kube-secret" if "/api/v1/" in url else "token" if url.endswith("/openid-connect/token")
                    else "logout" if url.endswith("/openid-connect/logout")
                    else "lookup" if "/clients?clientId=" in url else "secret" if url.endswith("/client-secret")
                    else "connect" if re.search(r"/realms/[^/]+$", url) else "other")
            rows.append({"kind": kind, "method": req.group(1), "status": req.group(3), "at": at, "ms": float(req.group(4)),
                         "bytes": int(req.group(5)) if req.group(5) else None})
        elif step:
            rows.append({"kind": "kubeconfig" if step.group(1) == "kubeconfig read" else "trust-store", "at": at,
                         "ms": float(step.group(2))})
        elif text.startswith("exit "):
            rows.append({"kind": "exit", "at": at, "ms": 0.0})
    return rows


def strace_summary(env):
    """Syscall picture of one plugin run: how many files it opens (trust store) and the top syscalls."""
    if not shutil.which("strace"):
        return None
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", f"{d}/o", PLUGIN, "client-secret", CLIENT],
                       env=env, capture_output=True)
        opens = open(f"{d}/o").read().splitlines()
        subprocess.run(["strace", "-f", "-c", "-o", f"{d}/c", PLUGIN, "client-secret", CLIENT], env=env, capture_output=True)
        table = open(f"{d}/c").read().splitlines()
    top = []
    for line in table:
        p = line.split()
        if len(p) >= 5 and re.match(r"^[\d.]+$", p[0]) and p[-1] not in ("total",):
            top.append({"syscall": p[-1], "calls": int(p[3]), "pct_time": float(p[0])})
    total_calls = next((int(l.split()[3]) for l in table if l.strip().endswith("total")), None)
    return {
        "openat": len(opens),
        "openat_trust_store": sum(1 for l in opens if "/etc/ssl/certs" in l or "ca-certificates" in l),
        "total_syscalls": total_calls,
        "top_by_calls": sorted(top, key=lambda t: -t["calls"])[:6],
    }


# ------------------------------------------------------------------ measure

def measure(env_file, requested, runs, out_path):
    env_file = os.path.abspath(env_file)
    sandbox = load_env(env_file)
    version = sandbox["SANDBOX_KEYCLOAK_VERSION"]
    slow_seconds = float(os.environ.get("BENCH_SLOW_SECONDS", "60"))
    slow_runs = int(os.environ.get("BENCH_SLOW_RUNS", "1"))
    work = f"{WORK}/{version}"
    os.makedirs(f"{work}/tmp", exist_ok=True)
    os.makedirs(f"{WORK}/kube-cache", exist_ok=True)
    envs = contender_envs(sandbox, work)

    creds = kube_secret(envs["plugin"])
    admin = Admin(sandbox["SANDBOX_KEYCLOAK_URL"], sandbox["SANDBOX_CA_FILE"], creds)
    scale = int(sandbox.get("SANDBOX_CLIENTS", "0") or 0)
    realm_clients = admin.count_clients("shasta")
    keycloak_version = None
    try:
        req = urllib.request.Request(f"{sandbox['SANDBOX_KEYCLOAK_URL']}/admin/serverinfo",
                                     headers={"Authorization": "Bearer " + admin._bearer()})
        with urllib.request.urlopen(req, context=admin.ctx, timeout=60) as r:
            keycloak_version = json.load(r)["systemInfo"]["version"]
    except Exception as err:  # the version is informative only
        log(f"serverinfo not read: {err}")
    hashing = admin_password_hashing(admin)
    late = ["system-compute-client"] + ([f"scale-client-{scale:05d}"] if scale > 0 else [])
    truth = {c: admin.secret("shasta", c) for c in [CLIENT] + late}
    log(f"Keycloak {version}: realm shasta holds {realm_clients} clients ({scale} scale clients; asked for {requested})")

    subprocess.run([f"{BENCH}/kcadm-procedure", "--setup", f"{work}/kcadm", sandbox["SANDBOX_CA_FILE"]],
                   env=envs["kcadm"], check=True)
    account = ["--client-id", ACCOUNT, "--secret", ACCOUNT]
    subprocess.run([PLUGIN, "admin-account", "delete", "--secret", ACCOUNT], env=envs["plugin"], capture_output=True)
    subprocess.run([PLUGIN, "admin-account", "create", *account], env=envs["plugin"], check=True, capture_output=True)

    def one(cid, warmup, rnd, client=CLIENT, env=None, extra=()):
        r = run(argv_of(cid, client, extra), env or envs[cid])
        rec = {"contender": cid, "client": client, "round": rnd, "warmup": warmup,
               **{k: r[k] for k in ("wall_s", "exit", "user_s", "sys_s", "load1")}}
        if cid == "floor":
            fl = parse_floor(r["stdout"])
            rec.update(floor=fl, time_s=fl["sum_warm_s"], result="n/a" if fl["all_200"] else "FAILED")
        else:
            value = exported_value(r["stdout"])
            rec.update(time_s=r["wall_s"], result="TIMEOUT" if r["timed_out"] else verdict(value, truth[client]),
                       output=shape(value, truth[client]))
            if cid == "forwarded" and rec["result"] == "correct" and "; forwarded to pod " not in r["stderr"]:
                rec["result"] = "not forwarded"
        if rec["result"] not in ("correct", "n/a"):
            rec["stderr_tail"] = r["stderr"][-400:]
        return rec

    records, counts = [], {}
    ids = [c for c, _ in CONTENDERS]
    slow = set()

    # Warm-up: one run of each contender through the loopback counting proxies,
    # which count its requests, connections and response bytes. A contender
    # whose warm-up takes longer than BENCH_SLOW_SECONDS gets only
    # BENCH_SLOW_RUNS timed runs (minutes per run cannot be repeated ten times).
    proxies = Proxies(sandbox, work)
    try:
        penvs = contender_envs(sandbox, work, keycloak_url=proxies.keycloak_url, kubeconfig=proxies.kubeconfig)
        # kubectl's discovery cache for the proxy's address, so kubectl's counts are those of a warm kubectl
        subprocess.run(["kubectl", "get", "secret", "-n", "services", "keycloak-master-admin-auth", "-o", "name"],
                       env=penvs["plugin"], capture_output=True)
        log(f"warm-up through the counting proxies: {', '.join(ids)}")
        for cid in ids:
            time.sleep(0.2)
            before = proxies.offsets()
            # The counting proxies speak HTTP, not the port-forward's WebSocket: not counted.
            counted = cid != "forwarded"
            rec = one(cid, True, 0, env=penvs[cid] if counted else None)
            rec["through_proxy"] = counted
            records.append(rec)
            time.sleep(0.3)
            counts[cid] = {"servers": proxies.since(before) if counted else {}, "result": rec["result"]}
            if rec["wall_s"] > slow_seconds:
                slow.add(cid)
            log(f"warm-up {cid}: {rec['wall_s']:.3f}s, {rec['result']}; " + (", ".join(
                f"{n} {c['requests']} req/{c['connections']} conn/{c['body_bytes']} body bytes"
                for n, c in counts[cid]["servers"].items()) or "not counted") + (" (slow)" if cid in slow else ""))
    finally:
        proxies.stop()

    # Admin sessions each timed run leaves in Keycloak: the admin user's
    # session count, read through the admin API after every run (untimed).
    # The account's sessions count too: a client_credentials login should leave none.
    count_sessions = lambda: admin.sessions() + admin.client_sessions(ACCOUNT)
    sessions = count_sessions()
    for rnd in range(1, runs + 1):
        k = (rnd - 1) % len(ids)
        order = [c for c in ids[k:] + ids[:k] if c not in slow or rnd <= slow_runs]
        for cid in order:
            rec = one(cid, False, rnd)
            now = count_sessions()
            rec["sessions_left"], sessions = now - sessions, now
            records.append(rec)
        log(f"round {rnd}/{runs}: " + ", ".join(f"{r['contender']} {r['time_s']:.3f}s/{r['sessions_left']:+d}"
                                                  for r in records[-len(order):]))

    # Clients that sort late in the realm: the documented procedure's listing may not reach them.
    late_runs = []
    for client in late:
        for cid in ("documented", "plugin", "kcadm"):
            if cid in slow:
                continue
            rec = one(cid, False, 0, client=client)
            late_runs.append(rec)
            log(f"late client {client}: {cid} -> {rec['result']} ({rec['time_s']:.3f}s)")

    # Where the plugin's time goes: its own -v trace.
    profile = []
    for i in range(10):
        r = run(argv_of("plugin", extra=("-v",)), envs["plugin"])
        profile.append({"wall_s": r["wall_s"], "requests": trace_rows(r["stderr"])})
    syscalls = strace_summary(envs["plugin"])

    # Peak RSS under GNU time (a child forked from this Python process would
    # report Python's own RSS from before the exec).
    rss = {}
    if os.access("/usr/bin/time", os.X_OK):
        for cid in ("kubectl-plugin", "plugin", "documented", "kcadm"):
            if cid in slow:
                continue
            kb = []
            for i in range(3):
                with tempfile.NamedTemporaryFile("r") as t:
                    run(["/usr/bin/time", "-f", "%M", "-o", t.name, *argv_of(cid)], envs[cid])
                    kb.append(int(t.read().split()[-1]))
            rss[cid] = kb

    result = {
        "keycloak_version": version,
        "keycloak_reported_version": keycloak_version,
        "sandbox_env": env_file,
        "requested_clients": requested,
        "scale_clients": scale,
        "realm_clients": realm_clients,
        "late_clients": late,
        "runs": runs,
        "slow_contenders": sorted(slow),
        "slow_runs": slow_runs,
        "slow_seconds": slow_seconds,
        "records": records,
        "late_runs": late_runs,
        "plugin_profile": profile,
        "plugin_syscalls": syscalls,
        "peak_rss_kb": rss,
        "counts": counts,
        "kube_apiserver_version": kube_version(envs["plugin"]),
        "admin_password_hashing": hashing,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    subprocess.run([PLUGIN, "admin-account", "delete", "--secret", ACCOUNT], env=envs["plugin"], capture_output=True)


def admin_password_hashing(admin):
    """Algorithm and iterations of the master admin's stored password: the server-side cost of every token request."""
    try:
        users = admin.get("/master/users?username=admin&exact=true")
        creds = admin.get(f"/master/users/{users[0]['id']}/credentials")
        data = json.loads(next(c for c in creds if c.get("type") == "password")["credentialData"])
        return {"algorithm": data.get("algorithm"), "iterations": data.get("hashIterations")}
    except Exception as err:  # informative only
        log(f"password hashing parameters not read: {err}")
        return None


def kube_version(env):
    r = subprocess.run(["kubectl", "version", "-o", "json"], env=env, capture_output=True, text=True)
    try:
        v = json.loads(r.stdout)
        return {"server": v.get("serverVersion", {}).get("gitVersion"), "client": v.get("clientVersion", {}).get("gitVersion")}
    except ValueError:
        return {}


# ------------------------------------------------------------------ start-up

def startup(out_path, n=60):
    env = {"PATH": RELEASE + os.pathsep + os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root")}
    direct, via = [], []
    for i in range(n):
        direct.append(run([PLUGIN, "--version"], env))
        if i < n // 2:
            via.append(run(["kubectl", "keycloak", "--version"], env))
    rss = []
    if os.access("/usr/bin/time", os.X_OK):
        for i in range(5):
            with tempfile.NamedTemporaryFile("r") as t:
                run(["/usr/bin/time", "-f", "%M", "-o", t.name, PLUGIN, "--version"], env)
                rss.append(int(t.read().split()[-1]))
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    res = {
        "source": git("log", "-1", "--format=%h (%cd)", "--date=short", "--", "src", "Cargo.toml", "Cargo.lock")
        + (" + uncommitted changes" if git("status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock") else ""),
        "binary_bytes": os.path.getsize(PLUGIN),
        "version_peak_rss_kb": rss,
        "version_output": direct[0]["stdout"].strip(),
        "direct_version_s": [r["wall_s"] for r in direct],
        "kubectl_version_s": [r["wall_s"] for r in via],
    }
    with open(out_path, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "measure":
        measure(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif cmd == "startup":
        startup(sys.argv[2])
    else:
        sys.exit(f"unknown command {cmd}")
