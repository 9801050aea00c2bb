#!/usr/bin/env python3
"""Turns target/bench/results/*.json into docs/benchmarks.{md,json,png}.

  report.py RESULTS_DIR DOCS_DIR

Needs matplotlib for the plot (tests/bench/run installs it into a venv).
"""

import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

NAMES = {
    "kubectl-plugin": "`kubectl keycloak`",
    "plugin": "plugin binary",
    "forwarded": "plugin binary through a port-forward",
    "named": "plugin binary, CSM's admin Secret named (no account lookup)",
    "account": "plugin binary, service-account admin",
    "documented": "documented procedure",
    "kcadm": "kcadm.sh",
    "floor": "floor (4 warm requests)",
}
ORDER = ["kubectl-plugin", "plugin", "forwarded", "named", "account", "documented", "kcadm", "floor"]
TARGETS = {"account": 0.55, "lookup": 1.02, "doc_small": 3.0, "doc_large": 10.0, "kcadm": 10.0, "floor": 1.3, "floor_fresh": 1.0,
           "sessions": 0, "rss_mib": 8.0, "binary_bytes": 6_000_000}
PARTS = ("kube-secret", "token", "lookup", "secret")


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def ms(s):
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def ms1(s):
    return "—" if s != s else f"{s * 1000:.1f} ms"


def per_run(x):
    return "—" if x != x else f"{x:.2f}".rstrip("0").rstrip(".") if x else "0"


def secs(s):
    if s != s:
        return "—"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def kib(n):
    if n is None:
        return "—"
    return f"{n} B" if n < 10 * 1024 else f"{n / 1024:.0f} KiB" if n < 10 * 1024 * 1024 else f"{n / 1048576:.1f} MiB"


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception:
        return ""


# ------------------------------------------------------------------ statistics

def summarize(res):
    recs = [r for r in res["records"] if not r["warmup"]]
    by = {c: [r for r in recs if r["contender"] == c] for c in ORDER}
    rounds = {}
    for r in recs:
        rounds.setdefault(r["round"], {})[r["contender"]] = r
    out = {}
    for c in ORDER:
        times = [r["time_s"] for r in by[c]]
        ratio = {}
        for ref in ("plugin", "kubectl-plugin"):
            ratio[ref] = med([rd[c]["time_s"] / rd[ref]["time_s"] for rd in rounds.values() if c in rd and ref in rd])
        results = [r["result"] for r in by[c]]
        left = [r["sessions_left"] for r in by[c] if "sessions_left" in r]
        out[c] = {
            "sessions_per_run": sum(left) / len(left) if left else float("nan"),
            "n": len(times), "median": med(times), "min": min(times) if times else float("nan"),
            "max": max(times) if times else float("nan"), "ratio": ratio,
            "rss_kb": med(res.get("peak_rss_kb", {}).get(c, [])),
            "cpu_s": med([r["user_s"] + r["sys_s"] for r in by[c]]),
            "results": results,
            "outputs": sorted({r.get("output") for r in by[c] if r.get("output") and r.get("output") != "the secret"}),
        }
    # plugin time / floor time, paired by round
    times = summarize_times(res)
    out["plugin_over_floor"], out["plugin_over_floor_fresh"] = times["over_floor"], times["over_fresh"]
    out["floor_fresh"] = med([r["floor"]["sum_round1_s"] for r in by["floor"]])
    out["kubectl_over_floor"] = med([rd["kubectl-plugin"]["time_s"] / rd["floor"]["time_s"] for rd in rounds.values()
                                     if "kubectl-plugin" in rd and "floor" in rd])
    # The cost of looking for the account's Secret beside CSM's, paired by round.
    out["plugin_over_named"] = med([rd["plugin"]["time_s"] / rd["named"]["time_s"] for rd in rounds.values()
                                    if "plugin" in rd and "named" in rd])
    floors = [r["floor"] for r in by["floor"]]
    out["floor_parts"] = {k: med([f["warm_s"][k] for f in floors]) for k in ("kube-secret", "token", "lookup", "secret")}
    out["floor_round1"] = {k: med([f["cold_s"][k] for f in floors]) for k in ("kube-secret", "token", "lookup", "secret")}
    out["floor_body"] = floors[0]["body_bytes"] if floors else {}
    out["floor_http"] = sorted({q["http"] for f in floors for q in f["requests"]})
    out["load1"] = [r["load1"] for r in recs]
    out["floor_handshake"] = {k: med([f["handshake_s"][k] for f in floors if "handshake_s" in f]) for k in ("kube-secret", "token")}
    out["profile"] = profile(res.get("plugin_profile") or [])
    return out


def profile(runs):
    """Medians over the plugin's -v runs of each step of its timeline (seconds).

    Every trace line carries the time it was written (ms since the run
    started) and, for a request or step, how long it took; a request's start
    is its end minus its duration."""
    def one(run):
        ev = {}
        for e in run["requests"]:
            ev.setdefault(e["kind"], e)  # the first of each kind
        get = lambda k, f: ev[k][f] / 1000 if k in ev else float("nan")
        secret_end, connect_end = get("kube-secret", "at"), get("connect", "at")
        return {
            "wall": run["wall_s"],
            "process": run["wall_s"] - get("exit", "at"),  # exec, loading, runtime set-up and teardown
            "kubeconfig": get("kubeconfig", "ms"),
            "first_request_at": secret_end - get("kube-secret", "ms"),
            "trust_store": get("trust-store", "ms"),
            "connect": get("connect", "ms"),
            "connect_end": connect_end,
            "kube-secret": get("kube-secret", "ms"),
            "secret_end": secret_end,
            "connect_wait": max(0.0, connect_end - secret_end) if connect_end == connect_end else float("nan"),
            "token": get("token", "ms"), "lookup": get("lookup", "ms"), "secret": get("secret", "ms"),
            "logout": get("logout", "ms"),
            "exit_at": get("exit", "at"),
        }
    rows = [one(r) for r in runs]
    return {k: med([r[k] for r in rows if r[k] == r[k]]) for k in (rows[0] if rows else {})} | {"n": len(rows)}


def result_cell(results):
    if not results:
        return "—"
    if all(r == "n/a" for r in results):
        return "—"
    ok = sum(r == "correct" for r in results)
    if ok == len(results):
        return f"yes ({ok}/{len(results)})"
    bad = sorted(set(r for r in results if r != "correct"))
    return f"**{'/'.join(bad)}** ({len(results) - ok}/{len(results)})"


# ------------------------------------------------------------------ report

def main(results_dir, docs):
    results = [json.load(open(p)) for p in sorted(glob.glob(f"{results_dir}/*-*.json"))]
    results.sort(key=lambda r: (r["keycloak_version"], r["realm_clients"]))
    startup = json.load(open(f"{results_dir}/startup.json")) if os.path.exists(f"{results_dir}/startup.json") else None
    versions = sorted({r["keycloak_version"] for r in results}, key=lambda v: [int(x) for x in v.split(".")])
    stats = {(r["keycloak_version"], r["requested_clients"]): summarize(r) for r in results}
    machine = machine_info(results, startup)

    md = []
    w = md.append
    w("# Benchmarks: `kubectl keycloak client-secret` against the documented procedure and kcadm.sh\n")
    w(f"Regenerated by `tests/bench/run` ({time.strftime('%Y-%m-%d %H:%M %Z')}); raw per-run data in "
      "[`benchmarks.json`](benchmarks.json), plot in [`benchmarks.png`](benchmarks.png). "
      "See `tests/bench/README.md` for what each contender does.\n")
    w("The job: print `export CLIENT_SECRET=…` for client `my-test-client` of realm `shasta`, starting from "
      "nothing but a kubeconfig (the Keycloak master admin credentials live in the Secret "
      "`services/keycloak-master-admin-auth`). Every figure is wall time of one complete run, from fork to exit; "
      f"contenders alternate round-robin (the first one rotating each round), {results[0]['runs'] if results else '?'} "
      "timed runs each after one warm-up run. The ratio columns are medians of per-round ratios (contender ÷ plugin "
      "in the same round), so slow phases of the shared machine affect both sides.\n")

    # ---- machine
    w("## Machine and software\n")
    w("| | |\n|---|---|")
    for k, v in machine.items():
        w(f"| {k} | {v} |")
    loads = [x for s in stats.values() for x in s["load1"]]
    if loads:
        w(f"| load average (1 min) during timed runs | median {med(loads):.1f}, max {max(loads):.1f} on {machine.get('CPU cores', '?')} cores |")
    w("")
    if loads and med(loads) > 1.0:
        w("The sandbox servers run on the same machine as the contenders, and other test runs shared it "
          "during the measurement (load average above). Absolute times therefore carry noise; the per-round "
          "ratios are the robust figures.\n")

    # ---- key figures
    w("## Key figures (medians)\n")
    w("| Keycloak | clients in realm | `kubectl keycloak` | plugin binary | documented procedure | kcadm.sh | floor | plugin ÷ floor | floor, fresh connections | plugin ÷ that | admin sessions left per run: plugin / documented / kcadm.sh |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        s = stats[(r["keycloak_version"], r["requested_clients"])]
        w(f"| {r['keycloak_version']} | {r['realm_clients']:,} | {secs(s['kubectl-plugin']['median'])} | {secs(s['plugin']['median'])} "
          f"| {secs(s['documented']['median'])} (×{s['documented']['ratio']['kubectl-plugin']:.1f} / ×{s['documented']['ratio']['plugin']:.1f}) "
          f"| {secs(s['kcadm']['median'])} (×{s['kcadm']['ratio']['kubectl-plugin']:.1f} / ×{s['kcadm']['ratio']['plugin']:.1f}) "
          f"| {secs(s['floor']['median'])} | {s['plugin_over_floor']:.2f} | {secs(s['floor_fresh'])} | {s['plugin_over_floor_fresh']:.2f} "
          f"| {per_run(s['plugin']['sessions_per_run'])} / {per_run(s['documented']['sessions_per_run'])} / {per_run(s['kcadm']['sessions_per_run'])} |")
    w("\n×A / ×B: times slower than `kubectl keycloak` / than the plugin binary, in the same round. *Floor*: the four "
      "requests on warm connections; *floor, fresh connections*: the same four requests as curl's first round, "
      "paying one TCP+TLS handshake per server like any new process (still without process start-up). *Admin "
      "sessions left per run*: the master admin's sessions in Keycloak after the timed runs minus before, per run "
      "(counted after every run through Keycloak's admin API, `GET /admin/realms/master/users/{id}/sessions`).\n")
    before_after(w, results, stats, startup)

    # ---- through a port-forward
    w("## Through a port-forward\n")
    w("The plugin binary with no Keycloak URL: CSM's default URL does not resolve here, so it forwards a port "
      "to Keycloak's pod (`pods/portforward` through the API server to kwok's kubelet API, plain HTTP to the pod, "
      "as on CSM) and makes the same requests through it. Goal: at most 1.5× direct.\n")
    w("| Keycloak | clients in realm | direct (plugin binary) | through a port-forward | ratio, paired by round | goal met? |")
    w("|---|---:|---:|---:|---:|---|")
    for r in results:
        s = stats[(r["keycloak_version"], r["requested_clients"])]
        ratio = s["forwarded"]["ratio"]["plugin"]
        met = "—" if ratio != ratio else "met" if ratio <= 1.5 else "**missed**"
        w(f"| {r['keycloak_version']} | {r['realm_clients']:,} | {secs(s['plugin']['median'])} "
          f"| {secs(s['forwarded']['median'])} | {ratio:.2f}× | {met} |")
    w("\nWhere the milliseconds go: `tests/bench/port-forward` (docs/port-forward.md).\n")

    # ---- service-account admin
    w("## A service-account admin of its own\n")
    w("`admin-account create` made a service-account client in master with the roles to read realm shasta's "
      "clients; the *account* contender names its Secret (`--admin-secret`), a client_credentials login. "
      "*Named* names CSM's admin Secret instead, so it reads one Secret as every run did before the account "
      "existed; the plugin binary's default run also looks for the account's Secret, concurrently. "
      f"Goals: account ≤ {TARGETS['account']}× the password grant, no session left, the default run ≤ "
      f"{TARGETS['lookup']}× the named one.\n")
    w("| Keycloak | clients in realm | plugin binary (password grant) | service-account admin | ratio | "
      "sessions left per run: account / password | CSM's Secret named | default ÷ named |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        s = stats[(r["keycloak_version"], r["requested_clients"])]
        w(f"| {r['keycloak_version']} | {r['realm_clients']:,} | {secs(s['plugin']['median'])} | {secs(s['account']['median'])} "
          f"| {s['account']['ratio']['plugin']:.2f}× | {per_run(s['account']['sessions_per_run'])} / "
          f"{per_run(s['plugin']['sessions_per_run'])} | {secs(s['named']['median'])} | {s['plugin_over_named']:.3f}× |")
    w("\nThe password grant's cost is the server hashing the admin's password (see *admin password hashing* above); "
      "client_credentials checks a stored secret.\n")

    # ---- targets
    w("## Targets\n")
    targets, notes = evaluate_targets(results, stats, startup)
    w("| target | plugin binary | met? | through kubectl | met? |\n|---|---|---|---|---|")
    mark = lambda ok: "—" if ok is None else "met" if ok else "**missed**"
    for t in targets:
        w(f"| {t[0]} | {t[1]} | {mark(t[2])} | {t[3]} | {mark(t[4])} |")
    w("")
    if notes:
        w("Why a time goal is missed, where it is:\n")
    for n in notes:
        w("- " + n)
    w("")
    w("The warm floor leaves out what every new process pays: starting, and one TCP+TLS handshake per server; the "
      "fresh-connection floor pays the handshakes one after the other, as curl does. The plugin's distance to "
      "both is broken down under *Where the plugin's time goes*. Through kubectl, kubectl's own start-up comes on "
      "top (see *Plugin start-up*): it is the same for every kubectl plugin, and the documented procedure pays it "
      "twice.\n")

    # ---- per version
    for v in versions:
        w(f"## Keycloak {v}\n")
        for r in [x for x in results if x["keycloak_version"] == v]:
            s = stats[(v, r["requested_clients"])]
            note = ""
            if r["scale_clients"] > r["requested_clients"]:
                note = (f" The shared sandbox already held {r['scale_clients']:,} scale clients when "
                        f"{r['requested_clients']:,} were asked for (clients are only ever added), so this row measures "
                        f"the larger realm.")
            w(f"### {r['realm_clients']:,} clients in realm shasta (`SANDBOX_CLIENTS={r['requested_clients']}`)\n")
            if note:
                w(note.strip() + "\n")
            for c in r.get("slow_contenders", []):
                wu = next((x for x in r["records"] if x["contender"] == c and x["warmup"]), None)
                w(f"The {NAMES[c]}'s warm-up run took {secs(wu['wall_s'])} (through the counting proxy; result: "
                  f"{wu['result']}), over the {r['slow_seconds']:.0f} s limit for repetition, so it has "
                  f"{s[c]['n']} timed run(s) here instead of {r['runs']}.\n")
            w("| contender | median | min | max | ÷ plugin binary | ÷ `kubectl keycloak` | Keycloak requests / connections | "
              "Keycloak body bytes | kube requests | kube body bytes | peak RSS | CPU | admin sessions left per run | correct? |")
            w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
            for c in ORDER:
                cs = s[c]
                cnt = r["counts"].get(c)
                if c == "floor":
                    body = s["floor_body"]
                    kc = f"3 / 1"
                    kcb = kib(body.get("token", 0) + body.get("lookup", 0) + body.get("secret", 0))
                    kube, kubeb, rss, cpu = "1", kib(body.get("kube-secret")), "—", "—"
                elif not cnt or not cnt["servers"]:
                    # (the port-forward's WebSocket does not pass the counting proxies)
                    kc = kcb = kube = kubeb = "not counted"
                    rss, cpu = "—", secs(cs["cpu_s"])
                else:
                    k, ku = cnt["servers"]["keycloak"], cnt["servers"]["kube"]
                    kc = f"{k['requests']} / {k['connections']}"
                    kcb, kube, kubeb = kib(k["body_bytes"]), str(ku["requests"]), kib(ku["body_bytes"])
                    rss = f"{cs['rss_kb'] / 1024:.0f} MiB" if cs["rss_kb"] == cs["rss_kb"] else "—"
                    cpu = secs(cs["cpu_s"])
                correct = result_cell(cs["results"])
                if cs["outputs"]:
                    correct += " — printed " + ", ".join(cs["outputs"])
                w(f"| {NAMES[c]} | {secs(cs['median'])} | {secs(cs['min'])} | {secs(cs['max'])} | "
                  f"{cs['ratio']['plugin']:.2f} | {cs['ratio']['kubectl-plugin']:.2f} | {kc} | {kcb} | {kube} | {kubeb} | "
                  f"{rss} | {cpu} | {per_run(cs['sessions_per_run'])} | {correct} |")
            w("")

    # ---- the documented procedure's listing
    w("## The documented procedure's full listing\n")
    w("The documented procedure lists the whole realm (`GET /admin/realms/shasta/clients`, no `first`/`max`) "
      "and filters the answer with jq; the plugin and kcadm.sh ask for the one client (`?clientId=`). What the "
      "listing returned in the documented procedure's counted run (warm-up through the counting proxy):\n")
    w("| Keycloak | clients in realm | listing body | clients in the listing | documented procedure's time | its result |")
    w("|---|---:|---:|---:|---:|---|")
    for r in results:
        det = r["counts"].get("documented", {}).get("servers", {}).get("keycloak", {}).get("detail", [])
        listing = next((d for d in det if d["path"].endswith("/admin/realms/shasta/clients")), None)
        s = stats[(r["keycloak_version"], r["requested_clients"])]["documented"]
        if listing is None:
            items, body = "—", "—"
        else:
            body = kib(listing["body_bytes"])
            items = listing.get("json_items")
            items = ("**not valid JSON** (cut short by the server)" if items == "invalid"
                     else f"{items:,}" if isinstance(items, int) else "—")
            if listing.get("incomplete"):
                items += " (connection ended early)"
        w(f"| {r['keycloak_version']} | {r['realm_clients']:,} | {body} | {items} | {secs(s['median'])} | "
          f"{result_cell(s['results'] + [r['counts'].get('documented', {}).get('result', 'n/a')])} |")
    w("")
    full = []
    for r in results:
        det = r["counts"].get("documented", {}).get("servers", {}).get("keycloak", {}).get("detail", [])
        listing = next((d for d in det if d["path"].endswith("/admin/realms/shasta/clients")), None)
        full.append(listing is not None and listing.get("json_items") == r["realm_clients"])
    if results and all(full):
        w(f"No listing was capped: every version returned every client of the realm (up to "
          f"{max(r['realm_clients'] for r in results):,}) to the unfiltered `GET …/clients`, so the jq filter "
          "found clients that sort late whenever the listing completed. What grows with the realm is the "
          "listing's size and the time Keycloak needs to build it.\n")
    long = [(r, stats[(r["keycloak_version"], r["requested_clients"])]["documented"]["median"]) for r in results]
    long = [(r, t) for r, t in long if t > 60]
    complete = {id(r): f for r, f in zip(results, full)}
    if long:
        w("Keycloak runs each admin request in a transaction that its transaction manager aborts after 300 s by "
          "default; a listing still streaming then ends early: mid-array (HTTP 200, a body jq cannot parse, and the "
          "documented procedure prints a wrong value), or at a client boundary (valid JSON holding only the clients "
          "sent so far, so any client after them is missed). Here: "
          + "; ".join(f"Keycloak {r['keycloak_version']} with {r['realm_clients']:,} clients, {t:.0f} s"
                      + (", under the limit" if complete[id(r)] else " — cut off at the limit") for r, t in long)
          + ". Each keeps one Keycloak worker thread busy throughout; a slower or busier server, or a bigger realm, "
          "reaches the limit sooner.\n")
    w("Clients that sort after the scale clients (`system-compute-client`) or last among them, run once each "
      "(skipped for a contender whose single run takes minutes: its answer depends only on whether the listing "
      "completes, shown above):\n")
    w("| Keycloak | clients in realm | client | documented procedure | plugin | kcadm.sh |")
    w("|---|---:|---|---|---|---|")
    for r in results:
        for client in r["late_clients"]:
            cells = []
            for c in ("documented", "plugin", "kcadm"):
                rec = next((x for x in r["late_runs"] if x["client"] == client and x["contender"] == c), None)
                if rec is None:
                    cells.append("not run" if c in r.get("slow_contenders", []) else "—")
                elif rec["result"] == "correct":
                    cells.append("correct")
                else:
                    cells.append(f"**{rec['result']}** (printed {rec.get('output')})")
            w(f"| {r['keycloak_version']} | {r['realm_clients']:,} | `{client}` | " + " | ".join(cells) + " |")
    w("")

    # ---- where the time goes
    w("## Where the plugin's time goes\n")
    n = max((stats[(r["keycloak_version"], r["requested_clients"])]["profile"].get("n", 0) for r in results), default=0)
    w(f"From the plugin's own `-v` trace ({n} extra runs of the binary per realm, medians). Every trace line carries "
      "the time since the run started and, for a request or step, how long it took, so the timeline shows what "
      "overlaps: a second thread reads the OS trust store (bundle file) and opens Keycloak's connection (TCP, TLS "
      "and a GET of the realm's public description, on the connection the login then reuses) while the main "
      "thread reads the admin Secret. *Process*: the harness's wall time minus the trace's `exit` time — exec, "
      "loading, runtime set-up and teardown. *Waits for Keycloak's connection*: how long after the Secret GET "
      "answered the early connection was still being opened. curl's handshakes are `%{time_appconnect}` of the "
      "floor's first round.\n")
    w("| Keycloak | clients | wall (-v runs) | process | kubeconfig read | first request starts at | kube Secret GET (incl. TCP+TLS) "
      "| ‖ trust store (bundle file) | ‖ Keycloak connection (TCP+TLS+GET) | waits for Keycloak's connection | token POST | lookup GET "
      "| secret GET | logout POST | curl's TCP+TLS: kube / Keycloak | floor warm: kube / token / lookup / secret |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        s = stats[(r["keycloak_version"], r["requested_clients"])]
        p, fp, hs = s["profile"], s["floor_parts"], s["floor_handshake"]
        if not p.get("n"):
            continue
        w(f"| {r['keycloak_version']} | {r['realm_clients']:,} | {ms1(p['wall'])} | {ms1(p['process'])} | {ms1(p['kubeconfig'])} "
          f"| {ms1(p['first_request_at'])} | {ms1(p['kube-secret'])} | {ms1(p['trust_store'])} | {ms1(p['connect'])} "
          f"| {ms1(p['connect_wait'])} | {ms1(p['token'])} | {ms1(p['lookup'])} | {ms1(p['secret'])} | {ms1(p['logout'])} "
          f"| {ms1(hs['kube-secret'])} / {ms1(hs['token'])} "
          f"| {ms1(fp['kube-secret'])} / {ms1(fp['token'])} / {ms1(fp['lookup'])} / {ms1(fp['secret'])} |")
    w("")
    for note in time_notes(results, stats):
        w(note + "\n")

    # ---- start-up, size, RSS
    w("## Plugin start-up, size and memory\n")
    if startup:
        w("| | |\n|---|---|")
        w(f"| `kubectl-keycloak --version` (median of {len(startup['direct_version_s'])}) | "
          f"{med(startup['direct_version_s']) * 1000:.1f} ms (min {min(startup['direct_version_s']) * 1000:.1f} ms) |")
        w(f"| `kubectl keycloak --version` through kubectl (median of {len(startup['kubectl_version_s'])}) | "
          f"{med(startup['kubectl_version_s']) * 1000:.1f} ms |")
        w(f"| release binary `target/release/kubectl-keycloak` | {startup['binary_bytes']:,} bytes ({startup['binary_bytes'] / 1048576:.1f} MiB) |")
        if startup.get("version_peak_rss_kb"):
            w(f"| peak RSS, `--version` (GNU time) | {med(startup['version_peak_rss_kb']) / 1024:.1f} MiB |")
        rss = [k for r in results for k in r.get("peak_rss_kb", {}).get("plugin", [])]
        cpu = [x["user_s"] + x["sys_s"] for r in results for x in r["records"] if x["contender"] == "plugin" and not x["warmup"]]
        if rss:
            w(f"| peak RSS, `client-secret` (GNU time, 3 runs per realm) | median {med(rss) / 1024:.1f} MiB, max {max(rss) / 1024:.1f} MiB |")
        if cpu:
            w(f"| CPU time (user+sys), `client-secret` (all timed runs) | median {med(cpu) * 1000:.1f} ms |")
        kub = [k for r in results for k in r.get("peak_rss_kb", {}).get("kubectl-plugin", [])]
        if kub:
            w(f"| peak RSS through kubectl (kubectl execs the plugin in the same process) | median {med(kub) / 1024:.1f} MiB |")
        w("")
    sc = next((r.get("plugin_syscalls") for r in results if r.get("plugin_syscalls")), None)
    if sc:
        top = ", ".join(f"{t['syscall']} {t['calls']}" for t in sc["top_by_calls"])
        w(f"System calls of one `client-secret` run (strace): {sc['total_syscalls']} in all; most frequent: {top}. "
          f"It opens {sc['openat']} files, {sc['openat_trust_store']} of them in the OS trust store (`/etc/ssl/certs`).\n")

    # ---- method
    w("## How each figure is obtained\n")
    w("- **Wall time**: `perf_counter` around fork/exec … `wait4` of the contender's process (for scripts: the whole "
      "script with its kubectl, curl, jq, python and java children; for the plugin: including its logout). CPU "
      "comes from the same `wait4`; peak RSS from GNU time (3 runs per contender and realm).")
    w("- **Admin sessions left**: the harness logs in once (then only refreshes its token, so it adds no session "
      "while counting) and reads the master admin user's sessions (`GET /admin/realms/master/users/{id}/sessions`) "
      "before the timed runs and after each one; a run's count is the difference. The documented procedure logs in "
      "twice per run, kcadm.sh once, the floor five times (once for its set-up, once per round); none of them ends "
      "its sessions, which stay until they idle out (30 min by default).")
    w("- **Floor**: `tests/bench/floor` sends each of the four requests 4 times on one connection per server "
      "(one curl invocation each, `--next`), and sums the medians of the warm rounds 2–4 of `%{time_total}`. It "
      "leaves out process start-up, the TCP/TLS handshakes and everything between requests, so no client can beat "
      f"it. curl negotiated HTTP/{'/'.join(sorted({h for s in stats.values() for h in s['floor_http']}))}.")
    w("- **Requests, connections, bytes**: each contender's warm-up run goes through loopback counting proxies on "
      "127.0.0.1 (`tests/bench/countproxy.py`) in front of Keycloak and the kube-apiserver (kubectl's discovery "
      "cache for the proxy's address is filled first). They terminate TLS with a certificate from the sandbox CA "
      "(every contender verifies it as usual), offer HTTP/1.1 only, relay bodies as they arrive and log each "
      "request; *body bytes* are the decoded response payloads (headers not included). Requests and connections "
      "are counted, not inferred. The floor's row shows its four requests and the `%{size_download}` of its own "
      "requests. Warm-up runs are not part of the timing statistics.")
    w("- **Correctness**: before the runs the real secrets are read through the admin API (exact lookup). Each run's "
      "stdout is evaluated by bash and `CLIENT_SECRET` compared with the real secret: `correct`, `WRONG` (another "
      "value, e.g. `null`) or `EMPTY`.")
    w("- **Documented procedure** (`tests/bench/documented-procedure`): the CSM REST API steps as written — two "
      "`kubectl get secret -ojsonpath` + `base64 -d`, a token request before each of the two admin calls, the full "
      "client listing filtered by jq, the secret GET with `jq -r .value`, the export line — except that TLS is "
      "verified (`--cacert`), the password goes to curl on stdin, and the token is parsed with "
      "`python3 -c 'import sys, json; …'` (the documented `python -c \"import sys.json; print json.load(…)\"` "
      "fails as written). It runs `/usr/bin/python3`, as an admin node would.")
    w("- **kcadm.sh** (`tests/bench/kcadm-procedure`): the same two kubectl reads, then `kcadm.sh config credentials` "
      "(password via `KC_CLI_PASSWORD` on 26.x, stdin on 21.x; never argv), `get clients -q clientId=… --fields id` "
      "and `get clients/ID/client-secret --fields value`, each a fresh JVM, with a throwaway copy of a config file "
      "whose truststore (PKCS12 from the sandbox CA) was recorded once beforehand with `kcadm.sh config truststore`.")
    w("- **Plugin**: the release build (`cargo build --release --locked`), run as `kubectl keycloak client-secret "
      "my-test-client` with `target/release` first on PATH, and as the binary itself; Keycloak URL and CA file "
      "from the sandbox's `KUBECTL_KEYCLOAK_URL`/`KUBECTL_KEYCLOAK_CA_FILE`.")
    private = any("target/bench/sandbox/" in r.get("sandbox_env", "") for r in results)
    if private:
        w("- **Sandbox**: the benchmark's own instances of the test sandbox (`tests/sandbox/up` run from a copy under "
          "`target/bench/sandbox`; `BENCH_SANDBOX=private`, the default), started fresh per Keycloak version with "
          "exactly `SANDBOX_CLIENTS` scale clients added in steps, and stopped afterwards — the shared sandboxes "
          "other tests use are not touched, and a realm listing that keeps Keycloak busy for minutes disturbs "
          "nobody. Realm shasta also holds the 5 seeded clients and Keycloak's 6 built-in ones.")
    else:
        w("- **Sandbox**: the shared test sandboxes (`BENCH_SANDBOX=shared`), grown with `SANDBOX_CLIENTS`; their realm "
          "may hold more clients than asked for (other tests add clients), and the table shows the real count.")
    slow_any = sorted({(r["keycloak_version"], r["realm_clients"], c) for r in results for c in r.get("slow_contenders", [])})
    if slow_any:
        w(f"- **Slow contenders**: a contender whose warm-up run took longer than {results[0]['slow_seconds']:.0f} s "
          f"gets {results[0]['slow_runs']} timed run(s) instead of {results[0]['runs']} (`BENCH_SLOW_SECONDS`, "
          "`BENCH_SLOW_RUNS`): " + "; ".join(f"{NAMES[c]} on Keycloak {v} with {n:,} clients" for v, n, c in slow_any) + ".")
    runs_note = sorted({(r["requested_clients"], r["runs"]) for r in results})
    if len({n for _, n in runs_note}) > 1:
        w("- Runs per realm size: " + ", ".join(f"{s:,} clients: {n}" for s, n in runs_note) + ".")
    w("")

    os.makedirs(docs, exist_ok=True)
    with open(f"{docs}/benchmarks.md", "w") as f:
        f.write("\n".join(md).rstrip() + "\n")
    raw = {"generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine, "startup": startup,
           "results": [{k: v for k, v in r.items() if not k.startswith("_")} for r in results]}
    with open(f"{docs}/benchmarks.json", "w") as f:
        json.dump(raw, f, indent=1)
        f.write("\n")
    plot(results, stats, versions, f"{docs}/benchmarks.png")


def evaluate_targets(results, stats, startup):
    """Rows: (target, binary figure, binary met, through-kubectl figure, through-kubectl met)."""
    rows, notes = [], []
    by_v = {}
    for r in results:
        by_v.setdefault(r["keycloak_version"], []).append(r)
    st = lambda r: stats[(r["keycloak_version"], r["requested_clients"])]
    for v, rs in sorted(by_v.items()):
        for r, want, what in ((rs[0], TARGETS["doc_small"], "smallest"), (rs[-1], TARGETS["doc_large"], "largest")):
            if what == "largest" and r is rs[0]:
                continue
            d = st(r)["documented"]["ratio"]
            rows.append((f"≥{want:.0f}× faster than the documented procedure, {what} realm (Keycloak {v}, {r['realm_clients']:,} clients)",
                         f"×{d['plugin']:.1f}", d["plugin"] >= want, f"×{d['kubectl-plugin']:.1f}", d["kubectl-plugin"] >= want))
        if rs[0]["realm_clients"] > 100:
            notes.append(f"Keycloak {v}: the smallest realm measured held {rs[0]['realm_clients']:,} clients, not ~10: "
                         "the shared sandbox already had that many.")
    kb = [(r, st(r)["kcadm"]["ratio"]["plugin"]) for r in results]
    kk = [(r, st(r)["kcadm"]["ratio"]["kubectl-plugin"]) for r in results]
    wb, wk = min(kb, key=lambda t: t[1]), min(kk, key=lambda t: t[1])
    rows.append((f"≥{TARGETS['kcadm']:.0f}× faster than kcadm.sh (every version and size; worst case shown)",
                 f"×{wb[1]:.1f} ({wb[0]['keycloak_version']}, {wb[0]['realm_clients']:,})", wb[1] >= TARGETS["kcadm"],
                 f"×{wk[1]:.1f} ({wk[0]['keycloak_version']}, {wk[0]['realm_clients']:,})", wk[1] >= TARGETS["kcadm"]))
    where = lambda r: f"{r['keycloak_version']}, {r['realm_clients']:,}"
    fr = [(r, st(r)["plugin_over_floor_fresh"]) for r in results]
    wb = max(fr, key=lambda t: t[1])
    rows.append((f"≤ {TARGETS['floor_fresh']:.1f}× the fresh-connection floor (every version and size; worst case shown, all: "
                 + ", ".join(f"{f:.2f}" for _, f in fr) + ")",
                 f"{wb[1]:.2f} ({where(wb[0])})", wb[1] <= TARGETS["floor_fresh"], "", None))
    fb = [(r, st(r)["plugin_over_floor"]) for r in results]
    fk = [(r, st(r)["kubectl_over_floor"]) for r in results]
    wb, wk = max(fb, key=lambda t: t[1]), max(fk, key=lambda t: t[1])
    rows.append((f"≤ {TARGETS['floor']}× the warm floor (every version and size; worst case shown, all: "
                 + ", ".join(f"{f:.2f}" for _, f in fb) + ")",
                 f"{wb[1]:.2f} ({where(wb[0])})", wb[1] <= TARGETS["floor"],
                 f"{wk[1]:.2f} ({where(wk[0])})", wk[1] <= TARGETS["floor"]))
    sb = [(r, st(r)["plugin"]["sessions_per_run"]) for r in results]
    sk = [(r, st(r)["kubectl-plugin"]["sessions_per_run"]) for r in results]
    wb, wk = max(sb, key=lambda t: t[1]), max(sk, key=lambda t: t[1])
    rows.append((f"{TARGETS['sessions']} admin sessions left in Keycloak per run (every version and size; worst case shown)",
                 f"{per_run(wb[1])} ({where(wb[0])})", wb[1] <= TARGETS["sessions"],
                 f"{per_run(wk[1])} ({where(wk[0])})", wk[1] <= TARGETS["sessions"]))
    acc = [(r, st(r)["account"]["ratio"]["plugin"]) for r in results]
    wb = max(acc, key=lambda t: t[1])
    rows.append((f"service-account admin ≤ {TARGETS['account']}× the password grant's median (every version and size; "
                 "worst case shown, all: " + ", ".join(f"{f:.2f}" for _, f in acc) + ")",
                 f"{wb[1]:.2f} ({where(wb[0])})", wb[1] <= TARGETS["account"], "", None))
    sa = [(r, st(r)["account"]["sessions_per_run"]) for r in results]
    wb = max(sa, key=lambda t: t[1])
    rows.append(("0 sessions left by the service-account admin (every version and size; worst case shown)",
                 f"{per_run(wb[1])} ({where(wb[0])})", wb[1] <= 0, "", None))
    lk = [(r, st(r)["plugin_over_named"]) for r in results]
    wb = max(lk, key=lambda t: t[1])
    rows.append((f"looking for the account's Secret: the default run ≤ {TARGETS['lookup']}× the run naming CSM's Secret "
                 "(every version and size; worst case shown, all: " + ", ".join(f"{f:.3f}" for _, f in lk) + ")",
                 f"{wb[1]:.3f} ({where(wb[0])})", wb[1] <= TARGETS["lookup"], "", None))
    missed = [r for r, f in fr if f > TARGETS["floor_fresh"]] + [r for r, f in fb if f > TARGETS["floor"]]
    if missed:
        seen = []
        for r in missed:
            if r in seen:
                continue
            seen.append(r)
            p, fp = st(r)["profile"], st(r)["floor_parts"]
            if not p.get("n"):
                continue
            notes.append(
                f"Keycloak {where(r)} clients, ÷ fresh floor {st(r)['plugin_over_floor_fresh']:.2f}, ÷ warm floor "
                f"{st(r)['plugin_over_floor']:.2f} (from the `-v` runs): on top of the four requests the plugin pays the "
                f"logout ({ms1(p['logout'])}), its process start and exit ({ms1(p['process'])}), and "
                f"{ms1(p['first_request_at'] + p['kube-secret'] + p['connect_wait'])} before the token POST can start: the "
                f"API server's Secret GET with its handshake ({ms1(p['kube-secret'])}; {ms1(fp['kube-secret'])} on the "
                f"floor's warm connection), then {ms1(p['connect_wait'])} more until Keycloak's connection is open.")
    rss = [k for r in results for k in r.get("peak_rss_kb", {}).get("plugin", [])]
    if rss:
        rows.append((f"peak RSS ≤ {TARGETS['rss_mib']:.0f} MiB (`client-secret`, largest of {len(rss)} runs under GNU time)",
                     f"{max(rss) / 1024:.1f} MiB", max(rss) / 1024 <= TARGETS["rss_mib"], "", None))
    if startup:
        size = startup["binary_bytes"]
        rows.append((f"release binary ≤ {TARGETS['binary_bytes'] / 1e6:.0f} MB", f"{size:,} bytes ({size / 1e6:.2f} MB)",
                     size <= TARGETS["binary_bytes"], "", None))
    for v, rs in sorted(by_v.items()):
        kc = [r["counts"]["plugin"]["servers"]["keycloak"]["body_bytes"] for r in rs]
        kube = [r["counts"]["plugin"]["servers"]["kube"]["body_bytes"] for r in rs]
        reqs = [r["counts"]["plugin"]["servers"]["keycloak"]["requests"] + r["counts"]["plugin"]["servers"]["kube"]["requests"] for r in rs]
        kck = [r["counts"]["kubectl-plugin"]["servers"]["keycloak"]["body_bytes"] for r in rs]
        same = len(set(kc)) == 1 and len(set(kube)) == 1 and len(set(reqs)) == 1
        rows.append((f"response bytes independent of realm size (Keycloak {v}: "
                     + ", ".join(f"{r['realm_clients']:,}" for r in rs) + " clients)",
                     f"Keycloak {'/'.join(str(b) for b in kc)} B, kube {'/'.join(str(b) for b in kube)} B, "
                     f"{'/'.join(str(n) for n in reqs)} requests", same,
                     f"Keycloak {'/'.join(str(b) for b in kck)} B", len(set(kck)) == 1))
    return rows, notes


def time_notes(results, stats):
    notes = []
    for r in results:
        s = stats[(r["keycloak_version"], r["requested_clients"])]
        p, fp, hs = s["profile"], s["floor_parts"], s["floor_handshake"]
        if not p.get("n"):
            continue
        keycloak_requests = p["token"] + p["lookup"] + p["secret"]
        ours = p["process"] + p["first_request_at"] + (p["exit_at"] - p["secret_end"] - p["connect_wait"] - keycloak_requests - p["logout"])
        notes.append(
            f"Keycloak {r['keycloak_version']}, {r['realm_clients']:,} clients: of the plugin's {ms1(p['wall'])}, "
            f"the token POST takes {ms1(p['token'])} ({p['token'] / p['wall'] * 100:.0f}%: Keycloak hashing the admin password"
            + (f", {r['admin_password_hashing']['algorithm']} with {r['admin_password_hashing']['iterations']:,} iterations"
               if r.get("admin_password_hashing") else "")
            + f"; {ms1(fp['token'])} on curl's warm connection), the kube Secret GET with its handshake "
            f"{ms1(p['kube-secret'])}, the lookup and secret GETs {ms1(p['lookup'] + p['secret'])} and the logout "
            f"{ms1(p['logout'])}. Keycloak's connection (trust store, TCP, TLS and the GET) was ready "
            f"{ms1(p['connect_end'])} after the start, "
            + (f"{ms1(p['connect_wait'])} after the Secret GET answered: the Secret GET is hidden behind it, not the "
               f"other way round" if p["connect_wait"] > 0.0005
               else "before the Secret GET answered, so its handshake cost no wall time")
            + f" (curl's handshake alone takes {ms1(hs['token'])} to Keycloak and {ms1(hs['kube-secret'])} to the API server). "
            f"The plugin's own time — process start and exit, kubeconfig, building the clients, output — is about "
            f"{ms1(ours)}.")
    notes.append(
        "So against the fresh-connection floor, which pays both handshakes one after the other, the plugin runs the "
        "two connection set-ups side by side — the longer one, Keycloak's with the GET that opens it, sets the pace "
        "— and pays instead its process start, the logout and a few milliseconds of its own; against the warm floor "
        "it pays the slower connection set-up, the logout and its own time, which no new process avoids. The logout is the price of leaving no session behind; it comes after stdout is written, but a "
        "shell's `eval \"$(…)\"` waits for the process to exit, so it is counted in every wall time here.")
    return notes


def before_after(w, results, stats, startup):
    """The plugin binary's medians now against the report of BENCH_BASELINE (a git revision, default HEAD)."""
    rev = os.environ.get("BENCH_BASELINE", "HEAD")
    text = sh(f"git show {rev}:docs/benchmarks.json")
    if not text:
        return
    old = json.loads(text)
    w(f"### Before and after: the plugin binary against the report at `{rev}`\n")
    source = lambda report: ((report.get("startup") or {}).get("source")
                             or (report.get("machine") or {}).get("plugin source (last commit touching src/, Cargo.*)", "?"))
    w(f"Then: plugin source {source(old)}, report of {old.get('generated', '?')}. "
      f"Now: {source({'startup': startup})}. "
      "Medians of each report's own timed runs; the ratios are per round, so each is robust to the machine's load "
      "at the time, the absolute times less so.\n")
    w("| Keycloak | clients in realm | plugin binary then | now | plugin ÷ warm floor then | now | plugin ÷ fresh floor then | now |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        prev = next((x for x in old.get("results", []) if x["keycloak_version"] == r["keycloak_version"]
                     and x["requested_clients"] == r["requested_clients"]), None)
        s = stats[(r["keycloak_version"], r["requested_clients"])]
        if prev is None:
            then = ("—", "—", "—")
        else:
            ps = summarize_times(prev)
            then = (secs(ps["plugin"]), f"{ps['over_floor']:.2f}", f"{ps['over_fresh']:.2f}")
        w(f"| {r['keycloak_version']} | {r['realm_clients']:,} | {then[0]} | {secs(s['plugin']['median'])} | {then[1]} "
          f"| {s['plugin_over_floor']:.2f} | {then[2]} | {s['plugin_over_floor_fresh']:.2f} |")
    w("")


def summarize_times(res):
    """The plugin's median and its per-round ratios to the floors, from any report's raw records."""
    rounds = {}
    for r in res["records"]:
        if not r["warmup"]:
            rounds.setdefault(r["round"], {})[r["contender"]] = r
    both = [rd for rd in rounds.values() if "plugin" in rd and "floor" in rd]
    return {
        "plugin": med([rd["plugin"]["time_s"] for rd in rounds.values() if "plugin" in rd]),
        "over_floor": med([rd["plugin"]["time_s"] / rd["floor"]["time_s"] for rd in both]),
        "over_fresh": med([rd["plugin"]["time_s"] / rd["floor"]["floor"]["sum_round1_s"] for rd in both]),
    }


def machine_info(results, startup=None):
    cpu = sh("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1")
    mem = sh("awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo")
    osr = sh(". /etc/os-release && echo \"$PRETTY_NAME\"")
    kc = ", ".join(sorted({f"{r['keycloak_version']} (server reports {r.get('keycloak_reported_version')})" for r in results}))
    kube = sorted({(r.get("kube_apiserver_version") or {}).get("server") for r in results} - {None})
    kubectl = sorted({(r.get("kube_apiserver_version") or {}).get("client") for r in results} - {None})
    java = sh("for d in /usr/lib/jvm/*/bin/java; do :; done; java -version 2>&1 | head -n1")
    info = {
        "CPU": cpu,
        "CPU cores": sh("nproc"),
        "memory": mem,
        "kernel": platform.release(),
        "OS": osr,
        "Keycloak": kc,
        "kube-apiserver": ", ".join(kube),
        "kubectl": ", ".join(kubectl),
        "curl": sh("curl --version | head -n1 | cut -d' ' -f1-2"),
        "jq": sh("jq --version"),
        "python3 (documented procedure)": sh("/usr/bin/python3 --version 2>&1 || python3 --version"),
        "Java (kcadm.sh)": java,
        "rustc": sh("rustc --version"),
        "plugin source (last commit touching src/, Cargo.*)": (startup or {}).get("source") or (
            sh("git log -1 --format='%h (%cd)' --date=short -- src Cargo.toml Cargo.lock")
            + (" + uncommitted changes" if sh("git status --porcelain -- src Cargo.toml Cargo.lock") else "")),
    }
    hashing = sorted({f"{r['keycloak_version']}: {r['admin_password_hashing']['algorithm']}, {r['admin_password_hashing']['iterations']:,} iterations"
                      for r in results if r.get("admin_password_hashing")})
    if hashing:
        info["admin password hashing"] = "; ".join(hashing)
    return info


def plot(results, stats, versions, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style = {
        "kubectl-plugin": dict(color="#1f77b4", marker="o", label="kubectl keycloak"),
        "plugin": dict(color="#17becf", marker="s", label="plugin binary"),
        "forwarded": dict(color="#9467bd", marker="v", label="plugin binary through a port-forward"),
        "named": dict(color="#8c564b", marker="P", label="plugin binary, CSM's admin Secret named"),
        "account": dict(color="#2ca02c", marker="*", label="plugin binary, service-account admin"),
        "documented": dict(color="#d62728", marker="^", label="documented procedure"),
        "kcadm": dict(color="#ff7f0e", marker="D", label="kcadm.sh"),
        "floor": dict(color="#555555", marker="x", linestyle="--", label="floor (4 warm requests)"),
    }
    fig, axes = plt.subplots(1, len(versions), figsize=(6.2 * len(versions), 5.0), sharey=True, squeeze=False)
    for ax, v in zip(axes[0], versions):
        rs = [r for r in results if r["keycloak_version"] == v]
        xs = [r["realm_clients"] for r in rs]
        for c in ORDER:
            st = [stats[(v, r["requested_clients"])][c] for r in rs]
            ys = [s["median"] for s in st]
            lo = [s["median"] - s["min"] for s in st]
            hi = [s["max"] - s["median"] for s in st]
            kw = dict(style[c])
            ax.errorbar(xs, ys, yerr=[lo, hi], capsize=3, linewidth=1.8, markersize=6, **kw)
            for x, r in zip(xs, rs):
                s = stats[(v, r["requested_clients"])][c]
                if any(res in ("WRONG", "EMPTY", "TIMEOUT") for res in s["results"]):
                    ax.annotate("wrong", (x, s["median"]), textcoords="offset points", xytext=(6, 6), color=kw["color"], fontsize=8)
        for r in rs:
            late_bad = [x for x in r["late_runs"] if x["contender"] == "documented" and x["result"] != "correct"]
            if late_bad:
                s = stats[(v, r["requested_clients"])]["documented"]
                ax.annotate("misses late clients", (r["realm_clients"], s["median"]), textcoords="offset points",
                            xytext=(-10, 12), ha="center", color=style["documented"]["color"], fontsize=8)
            n = stats[(v, r["requested_clients"])]["documented"]["n"]
            if n < r["runs"]:
                s = stats[(v, r["requested_clients"])]["documented"]
                ax.annotate(f"{s['median']:.0f} s, {n} run" + ("s" if n != 1 else ""), (r["realm_clients"], s["median"]),
                            textcoords="offset points", xytext=(-8, -4), ha="right", va="top",
                            color=style["documented"]["color"], fontsize=8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = []
        for x in sorted(xs):
            if not ticks or x > ticks[-1] * 1.3:
                ticks.append(x)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{x:,}" for x in ticks])
        ax.minorticks_off()
        ax.set_xlim(min(xs) / 2.5, max(xs) * 2.5)
        ax.set_title(f"Keycloak {v}")
        ax.set_xlabel("clients in realm shasta (log scale)")
        ax.grid(True, which="major", alpha=0.3)
    ax0 = axes[0][0]
    ax0.set_ylabel("wall time per run, median with min–max (s, log scale)")
    values = [stats[(r["keycloak_version"], r["requested_clients"])][c][k] for r in results for c in ORDER for k in ("min", "max")]
    lo, hi = min(values) / 1.3, max(values) * 1.3
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if lo <= t <= hi]
    ax0.set_ylim(lo, hi)
    ax0.set_yticks(ticks)
    ax0.set_yticklabels([f"{t:g}" for t in ticks])
    handles, labels = ax0.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, frameon=False)
    fig.suptitle("kubectl keycloak client-secret my-test-client vs. the documented procedure and kcadm.sh")
    fig.tight_layout(rect=(0, 0.07, 1, 0.96))
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
