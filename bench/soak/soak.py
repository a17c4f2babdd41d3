#!/usr/bin/env python3
"""Soak with faults (issue 9, item 3): mixed load on the packaged gateway while its hosts misbehave,
then assertions. Run it through bench/soak/run.sh. Python 3 standard library only; loopback only;
bounded in time (--seconds of load, then at most 80 s of draining), and every process it starts is
stopped at the end.

Hosts of the gateway under test:
  flaky  vapi host -> fault_backend.py (busy bursts, 20 s hangs, dropped connections, garbage bodies,
         a dead port, expired sessions, in turn)
  gone   vapi host on a port where nothing listens (a dead host)
  lab    embedded simulator (healthy, busy and Tools-down VMs) alongside
When the build has no vapi host type yet, flaky and gone are simulator hosts configured with the
simulator's own faults (transport-fault reset/hang/connection-refused, busy, delay-ms, fail-with) and the
summary says so.

Assertions: every answer is a well-formed vAPI answer (2xx with an empty body, or a JSON error of the
flavour's shape whose HTTP status matches its type); the client's count per (flavour, host, outcome)
equals guestops_terminate_requests_total exactly; the heap after a full GC does not grow from the first
third to the last third; guestops_host_inflight is back to 0 and the connections to the backend are
bounded; the log holds no Vert.x blocked-thread warning.
"""
import argparse
import collections
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

SOAK = Path(__file__).resolve().parent
ROOT = SOAK.parent.parent
APP_JAR = ROOT / "target" / "quarkus-app" / "quarkus-run.jar"
sys.path.insert(0, str(SOAK.parent))
from bench import chart_jvm_opts, train_class_archive  # noqa: E402  (bench/bench.py: the pod's JVM options, read from the chart)

STATUS_OF = {"invalid_argument": 400, "not_allowed_in_current_state": 400, "unsupported": 400,
             "unauthenticated": 401, "unauthorized": 403, "not_found": 404, "operation_not_found": 404,
             "resource_busy": 500, "error": 500, "service_unavailable": 503}
GOOD = {"type": "USERNAME_PASSWORD", "user_name": "root", "password": "vmware"}
BAD = {"type": "USERNAME_PASSWORD", "user_name": "root", "password": "wrong"}

# role: (weight, vm, pid, credentials, flavour, host tag expected in the metrics)
ROLES = {
    "ok_api": (40, "vm-1", 1000, GOOD, "api", "flaky"),
    "ok_rest": (8, "vm-2", 1001, GOOD, "rest", "flaky"),
    "bad_password": (4, "vm-1", 1002, BAD, "api", "flaky"),
    "no_pid": (3, "vm-1", 4242, GOOD, "api", "flaky"),
    "slow": (1, "vm-slow", 1003, GOOD, "api", "flaky"),
    "hang": (1, "vm-hang", 1004, GOOD, "api", "flaky"),
    "garbage": (2, "vm-garbage", 1005, GOOD, "api", "flaky"),
    "dead": (8, "vm-dead", 1006, GOOD, "api", "gone"),
    "sim_ok": (12, "vm-s-ok", 1007, GOOD, "api", "lab"),
    "sim_busy": (6, "vm-s-busy", 1008, GOOD, "rest", "lab"),
    "sim_tools": (3, "vm-s-tools", 1009, GOOD, "api", "lab"),
    "invalid": (4, "vm-1", 0, GOOD, "api", "none"),
    "no_route": (3, "vm-42", 1010, GOOD, "rest", "none"),
}


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# ---- configuration of the gateway under test ----------------------------------------------------------

LAB_INVENTORY = {
    "users": [{"name": "root", "password": "vmware"}],
    "processes": [{"from": 1000, "to": 1999, "kind": "respawning"}],
    "vms": {
        "vm-s-ok": {"power-state": "on"},
        "vm-s-busy": {"power-state": "on", "busy": {"cycle": 3, "busy-calls": 2}},
        "vm-s-tools": {"power-state": "on", "tools-running": False},
    },
}

# simulator stand-ins for the vapi hosts (used only when the build has no vapi host type)
FLAKY_INVENTORY = {
    "users": [{"name": "root", "password": "vmware"}],
    "processes": [{"from": 1000, "to": 1999, "kind": "respawning"}],
    "vms": {
        "vm-1": {"power-state": "on", "busy": {"cycle": 10, "busy-calls": 3},
                 "transport-fault": {"kind": "reset", "cycle": 13, "faulty-calls": 1}},
        "vm-2": {"power-state": "on", "busy": {"cycle": 7, "busy-calls": 2}},
        "vm-slow": {"power-state": "on", "delay-ms": 20000},
        "vm-hang": {"power-state": "on", "transport-fault": {"kind": "hang", "cycle": 2, "faulty-calls": 1}},
        "vm-garbage": {"power-state": "on", "fail-with": "error"},
    },
}
GONE_INVENTORY = {
    "users": [{"name": "root", "password": "vmware"}],
    "processes": [{"from": 1000, "to": 1999, "kind": "respawning"}],
    "vms": {"vm-dead": {"power-state": "on",
                        "transport-fault": {"kind": "connection-refused", "cycle": 1, "faulty-calls": 1}}},
}

RESILIENCE = """  resilience:                 # shortened so breakers and cool-downs cycle within the soak
    retry: {delay: 50ms, max-delay: 400ms, jitter: 20ms}
    circuit-breaker: {delay: 5s}
    cooldown: {duration: 3s}
"""


def config_yaml(mode, work, backend_port, dead_port):
    vms = "".join(f"    {vm}: {host}\n" for _, vm, _, _, _, host in ROLES.values() if host != "none")
    if mode == "vapi":
        hosts = f"""    flaky:
      type: vapi
      url: http://127.0.0.1:{backend_port}
      username: soak
      password: soak-password
    gone:
      type: vapi
      url: http://127.0.0.1:{dead_port}
      username: soak
      password: soak-password
"""
    else:
        hosts = f"""    flaky:
      type: simulator
      inventory: {work / 'flaky-inventory.json'}
    gone:
      type: simulator
      inventory: {work / 'gone-inventory.json'}
"""
    hosts += f"""    lab:
      type: simulator
      inventory: {work / 'lab-inventory.json'}
"""
    # callers are not authenticated in the soak (loopback only); a gateway with hosts refuses to start
    # without a token verification key unless told so
    auth = "  auth:\n    enabled: false\n"
    return f"# bench/soak, {mode} mode\ngateway:\n{auth}  hosts:\n{hosts}  vms:\n{vms}{RESILIENCE}"


# ---- the gateway process ------------------------------------------------------------------------------

class Gateway:
    def __init__(self, work, port, jvm_opts, app_jar):
        self.work, self.port, self.jvm_opts, self.app_jar = work, port, jvm_opts, app_jar
        self.proc, self.log_path = None, work / "gateway.log"

    def start(self):
        # health and metrics are on the management port: the next port up
        cmd = ["java"] + self.jvm_opts + [f"-Dquarkus.http.port={self.port}",
                                          f"-Dquarkus.management.port={self.port + 1}", "-Dquarkus.shutdown.delay=0s",
                                          "-jar", str(self.app_jar)]
        self.proc = subprocess.Popen(cmd, cwd=self.work, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port + 1, timeout=2)
                c.request("GET", "/q/health/ready")
                if c.getresponse().status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def log_text(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def scrape(port):
    """/q/metrics of the gateway serving on `port`: on its management port, the next one up."""
    c = http.client.HTTPConnection("127.0.0.1", port + 1, timeout=10)
    c.request("GET", "/q/metrics")
    return c.getresponse().read().decode()


# name{labels} value, optionally followed by an OpenMetrics exemplar (" # {span_id=...} 1.0 <time>")
SERIES = re.compile(r'^(\w+)\{([^}]*)\}\s+([0-9.eE+-]+|NaN)(?:\s+#.*)?$')


def series(text, name):
    out = {}
    for line in text.splitlines():
        m = SERIES.match(line)
        if m and m.group(1) == name:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            out[tuple(sorted(labels.items()))] = float(m.group(3))
    return out


def heap_after_gc_mb(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) / 1024.0 if m else None


def established_to(port):
    """Client-side ESTABLISHED TCP sockets to 127.0.0.1:port (only the gateway connects to it)."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "01" and int(parts[2].rsplit(":", 1)[1], 16) == port:
                        n += 1
        except FileNotFoundError:
            pass
    return n


# ---- the load --------------------------------------------------------------------------------------------

def check_answer(flavour, status, content_type, body):
    """Returns (outcome, problem or None) for one answer."""
    if 200 <= status < 300:
        expected = 204 if flavour == "api" else 200
        if status != expected:
            return "success", f"success status {status}, expected {expected}"
        return "success", None if not body else f"2xx with a body of {len(body)} bytes"
    if not (content_type or "").lower().startswith("application/json"):
        return None, f"status {status} with content type {content_type!r}"
    try:
        doc = json.loads(body)
    except ValueError:
        return None, f"status {status} with a body that is not JSON: {body[:120]!r}"
    if flavour == "api":
        kind = doc.get("error_type") if isinstance(doc, dict) else None
        messages = doc.get("messages") if isinstance(doc, dict) else None
        outcome = kind.lower() if isinstance(kind, str) else None
    else:
        kind = doc.get("type") if isinstance(doc, dict) else None
        value = doc.get("value") if isinstance(doc, dict) else None
        messages = value.get("messages") if isinstance(value, dict) else None
        prefix = "com.vmware.vapi.std.errors."
        outcome = kind[len(prefix):] if isinstance(kind, str) and kind.startswith(prefix) else None
    if outcome not in STATUS_OF:
        return None, f"status {status}: unknown or missing error type in {body[:160]!r}"
    if not isinstance(messages, list) or not all(
            isinstance(m, dict) and isinstance(m.get("id"), str) and isinstance(m.get("default_message"), str)
            and isinstance(m.get("args"), list) for m in messages):
        return outcome, f"malformed messages in {body[:160]!r}"
    if STATUS_OF[outcome] != status:
        return outcome, f"{outcome} answered with HTTP {status}, expected {STATUS_OF[outcome]}"
    return outcome, None


class Load:
    def __init__(self, port, threads, rate_per_thread, seconds, seed=9):
        self.port, self.threads, self.interval, self.seconds = port, threads, 1.0 / rate_per_thread, seconds
        self.lock = threading.Lock()
        self.counts = collections.Counter()       # (flavour, host, outcome)
        self.by_role = collections.Counter()      # (role, outcome)
        self.problems = []
        self.unanswered = 0
        self.sent = 0
        self.latencies = collections.defaultdict(list)
        self.rng = random.Random(seed)
        names = list(ROLES)
        self.choices = [n for n in names for _ in range(ROLES[n][0])]

    def worker(self, idx, end):
        rng = random.Random(idx * 7919)
        conn = None
        next_at = time.monotonic()
        while time.monotonic() < end:
            role = rng.choice(self.choices)
            _, vm, pid, creds, flavour, host = ROLES[role]
            if role == "invalid":
                path = f"/api/vcenter/vm/{vm}/guest/processes/{pid}?action=kill"
            elif flavour == "api":
                path = f"/api/vcenter/vm/{vm}/guest/processes/{pid}?action=delete"
            else:
                path = f"/rest/vcenter/vm/{vm}/guest/processes/{pid}?action=delete"
            body = json.dumps({"credentials": creds}).encode()
            t0 = time.monotonic()
            status, err = None, None
            try:  # no retry: a request the gateway may have seen must be counted once, on both sides
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=75)
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
                status, ctype = resp.status, resp.getheader("Content-Type")
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except OSError as e:  # http.client's errors are OSErrors too
                err = e
                if conn:
                    conn.close()
                conn = None
            except http.client.HTTPException as e:
                err = e
                if conn:
                    conn.close()
                conn = None
            took = time.monotonic() - t0
            with self.lock:
                self.sent += 1
                if status is None:
                    self.unanswered += 1
                    self.problems.append(f"{role}: no answer ({err!r})")
                    continue
                outcome, problem = check_answer(flavour, status, ctype, data)
                if problem:
                    self.problems.append(f"{role}: {problem}")
                key_outcome = outcome or "malformed"
                self.counts[(flavour, host, key_outcome)] += 1
                self.by_role[(role, key_outcome)] += 1
                self.latencies[role].append(took)
            next_at += self.interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.monotonic()
        if conn:
            conn.close()

    def run(self):
        end = time.monotonic() + self.seconds
        ts = [threading.Thread(target=self.worker, args=(i, end), daemon=True) for i in range(self.threads)]
        for t in ts:
            t.start()
        return ts


# ---- main -----------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=int, default=360)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--rate-per-thread", type=float, default=12.5)
    ap.add_argument("--phase-seconds", type=float, default=15)
    ap.add_argument("--port", type=int, default=18190, help="the gateway's; its management port is the next one up")
    ap.add_argument("--backend-port", type=int, default=18192)
    ap.add_argument("--dead-port", type=int, default=18193)
    # the pod's JVM options by default (the chart's heap, young generation and the base image's GC settings)
    ap.add_argument("--jvm-opts", default=" ".join(chart_jvm_opts()[0]))
    ap.add_argument("--app-jar", default=str(APP_JAR))
    ap.add_argument("--mode", choices=["auto", "vapi", "simulator"], default="auto")
    args = ap.parse_args()
    taken = {args.port, args.port + 1}
    if args.backend_port in taken or args.dead_port in taken or args.backend_port == args.dead_port:
        ap.error(f"--backend-port and --dead-port must differ from each other and from {sorted(taken)} "
                 "(the gateway's port and its management port)")

    out = Path(args.out).resolve()
    work = out / "work"
    (work / "config").mkdir(parents=True, exist_ok=True)
    (work / "lab-inventory.json").write_text(json.dumps(LAB_INVENTORY, indent=1))
    (work / "flaky-inventory.json").write_text(json.dumps(FLAKY_INVENTORY, indent=1))
    (work / "gone-inventory.json").write_text(json.dumps(GONE_INVENTORY, indent=1))
    result = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "args": vars(args)}
    backend = None
    train_class_archive(args.jvm_opts.split(), args.app_jar)  # the image's class archive, when the options name it
    gw = Gateway(work, args.port, args.jvm_opts.split(), args.app_jar)
    try:
        mode = "vapi" if args.mode in ("auto", "vapi") else "simulator"
        if mode == "vapi":
            backend = subprocess.Popen(
                [sys.executable, str(SOAK / "fault_backend.py"), "--port", str(args.backend_port),
                 "--phase-seconds", str(args.phase_seconds), "--stop-after", str(args.seconds + 120),
                 "--log", str(out / "backend-events.jsonl")],
                stdout=open(out / "backend.log", "w"), stderr=subprocess.STDOUT)
        (work / "config" / "application.yaml").write_text(config_yaml(mode, work, args.backend_port, args.dead_port))
        if not gw.start():
            text = gw.log_text()
            if mode == "vapi" and args.mode == "auto" and "is not supported by this build" in text:
                log("this build has no vapi host type: the soak runs on simulator hosts configured with faults")
                result["fallback"] = re.search(r"[\w.=-]+ is not supported by this build", text).group(0)
                mode = "simulator"
                if backend:
                    backend.terminate()
                    backend.wait()
                    backend = None
                (work / "config" / "application.yaml").write_text(config_yaml(mode, work, 0, 0))
                (work / "gateway-vapi-attempt.log").write_text(text)
                if not gw.start():
                    raise SystemExit("gateway did not start:\n" + gw.log_text()[-3000:])
            else:
                raise SystemExit("gateway did not start:\n" + text[-3000:])
        result["mode"] = mode
        pid = gw.proc.pid
        log(f"gateway up (pid {pid}, {mode} mode); load: {args.threads} threads x {args.rate_per_thread}/s for "
            f"{args.seconds}s")

        before = series(scrape(args.port), "guestops_terminate_requests_total")
        load = Load(args.port, args.threads, args.rate_per_thread, args.seconds)
        t_start = time.monotonic()
        threads = load.run()

        samples = []
        while any(t.is_alive() for t in threads) and time.monotonic() - t_start < args.seconds:
            time.sleep(min(15, max(0.0, args.seconds - (time.monotonic() - t_start))))
            elapsed = time.monotonic() - t_start
            if elapsed >= args.seconds:
                break
            heap = heap_after_gc_mb(pid)
            fds = len(os.listdir(f"/proc/{pid}/fd"))
            conns = established_to(args.backend_port)
            rss = None
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) / 1024
            samples.append({"t": round(elapsed, 1), "heap_after_gc_mb": heap, "fds": fds,
                            "backend_connections": conns, "rss_mb": rss, "sent": load.sent})
            log(f"  t={elapsed:5.0f}s sent {load.sent}, heap after GC {heap:.1f} MiB, fds {fds}, "
                f"backend conns {conns}, rss {rss:.0f} MiB")

        log("load stopped; waiting for the requests still in flight (20 s hangs, deadlines)")
        for t in threads:
            t.join(timeout=80)
        still = sum(1 for t in threads if t.is_alive())
        time.sleep(1)
        final_text = scrape(args.port)
        after = series(final_text, "guestops_terminate_requests_total")
        inflight = series(final_text, "guestops_host_inflight")
        final_heap = heap_after_gc_mb(pid)
        final_conns = established_to(args.backend_port)
        log_text = gw.log_text()
        blocked = [ln for ln in log_text.splitlines() if "has been blocked for" in ln or "BlockedThreadChecker" in ln]
        errors_logged = [ln for ln in log_text.splitlines() if '"level":"ERROR"' in ln]

        # metrics delta per (flavour, host, outcome), and per source (information)
        metric_counts = collections.Counter()
        by_source = collections.Counter()
        for key, value in after.items():
            d = value - before.get(key, 0.0)
            if d:
                labels = dict(key)
                metric_counts[(labels["flavour"], labels["host"], labels["outcome"])] += int(round(d))
                by_source[(labels["host"], labels["outcome"], labels["source"])] += int(round(d))
        keys = sorted(set(metric_counts) | set(load.counts))
        mismatches = [(k, load.counts.get(k, 0), metric_counts.get(k, 0)) for k in keys
                      if load.counts.get(k, 0) != metric_counts.get(k, 0)]

        n = len(samples)
        first = [s["heap_after_gc_mb"] for s in samples[: max(1, n // 3)] if s["heap_after_gc_mb"] is not None]
        last = [s["heap_after_gc_mb"] for s in samples[n - max(1, n // 3):] if s["heap_after_gc_mb"] is not None]
        first_med = statistics.median(first) if first else None
        last_med = statistics.median(last) if last else None
        heap_limit = None if first_med is None else max(first_med * 1.10, first_med + 4.0)
        fds_first = [s["fds"] for s in samples[: max(1, n // 3)]]
        fds_last = [s["fds"] for s in samples[n - max(1, n // 3):]]

        checks = []

        def check(name, ok, detail):
            checks.append({"check": name, "ok": bool(ok), "detail": detail})

        check("every request answered", load.unanswered == 0 and still == 0,
              f"{load.sent} sent, {load.unanswered} without an answer, {still} client threads still waiting")
        check("every answer a well-formed vAPI answer", not load.problems,
              f"{len(load.problems)} problems" + (": " + "; ".join(load.problems[:5]) if load.problems else ""))
        check("client counts = guestops_terminate_requests_total (per flavour, host, outcome)", not mismatches,
              f"{sum(load.counts.values())} counted by the client, {sum(metric_counts.values())} by the gateway"
              + (f"; differences (key, client, gateway): {mismatches[:6]}" if mismatches else ""))
        check("heap after GC does not grow (median of the last third ≤ max(first × 1.10, first + 4 MiB))",
              first_med is not None and last_med is not None and last_med <= heap_limit,
              f"first third {first_med:.1f} MiB, last third {last_med:.1f} MiB, after the soak {final_heap:.1f} MiB"
              if first_med is not None and last_med is not None and final_heap is not None else "no samples")
        check("guestops_host_inflight back to 0 on every host", inflight and all(v == 0 for v in inflight.values()),
              ", ".join(f"{dict(k).get('host')}={v:g}" for k, v in sorted(inflight.items())))
        pool_max = 64
        check(f"no connection leak (connections to the backend ≤ {pool_max}; file descriptors not growing)",
              final_conns <= pool_max and (not fds_first or statistics.median(fds_last) <= max(fds_first) + 16),
              f"backend connections at the end {final_conns}, max during the soak "
              f"{max([s['backend_connections'] for s in samples] or [0])}; open fds first third "
              f"{fds_first}, last third {fds_last}")
        check("no Vert.x blocked-thread warning in the log", not blocked,
              f"{len(blocked)} warnings" + (": " + blocked[0][:300] if blocked else ""))

        result.update({
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "checks": checks,
            "passed": all(c["ok"] for c in checks),
            "sent": load.sent,
            "client_counts": {"|".join(k): v for k, v in sorted(load.counts.items())},
            "metric_counts": {"|".join(k): v for k, v in sorted(metric_counts.items())},
            "metric_by_source": {"|".join(k): v for k, v in sorted(by_source.items())},
            "by_role": {"|".join(k): v for k, v in sorted(load.by_role.items())},
            "latency_p50_p99_s": {r: [round(statistics.median(v), 3),
                                      round(sorted(v)[int(0.99 * (len(v) - 1))], 3)] for r, v in load.latencies.items()},
            "samples": samples,
            "final_heap_after_gc_mb": final_heap,
            "errors_logged": len(errors_logged),
            "error_examples": [e[:400] for e in errors_logged[:3]],
            "problems": load.problems[:50],
        })
    finally:
        gw.stop()
        if backend and backend.poll() is None:
            backend.terminate()
            try:
                backend.wait(10)
            except subprocess.TimeoutExpired:
                backend.kill()
        (out / "soak.json").write_text(json.dumps(result, indent=1) + "\n")

    write_summary(out, result)
    for c in result["checks"]:
        log(f"{'PASS' if c['ok'] else 'FAIL'}  {c['check']}: {c['detail']}")
    return 0 if result["passed"] else 1


def write_summary(out, r):
    lines = ["# Soak with faults", ""]
    w = lines.append
    a = r["args"]
    w(f"Run {r['started']} → {r['finished']} (UTC) by `bench/soak/run.sh`: {a['seconds']} s of mixed load "
      f"({a['threads']} client threads, at most {a['rate_per_thread']} requests/s each, "
      f"{r['sent']:,} requests), loopback only. **Result: {'PASSED' if r['passed'] else 'FAILED'}.**")
    w("")
    if r.get("mode") == "vapi":
        w(f"Hosts: `flaky` (vapi) → `bench/soak/fault_backend.py`, cycling every {a['phase_seconds']:g} s through "
          "normal, busy burst (500 RESOURCE_BUSY), normal, 20 s hangs, normal, dropped connections, normal, garbage "
          "bodies, normal, dead port, normal, expired sessions; `gone` (vapi) on a closed port; `lab` (embedded "
          "simulator: healthy, busy 2 of 3, Tools not running).")
    else:
        w("**Simulator mode**: this build has no vapi host type (" + r.get("fallback", "") + "), so `flaky` and "
          "`gone` are simulator hosts configured with the simulator's faults: busy bursts (busy 3 of 10 calls), "
          "dropped connections (transport-fault reset), 20 s answers (delay-ms 20000), hangs until the attempt "
          "timeout (transport-fault hang), a host error (fail-with error) standing in for garbage bodies, and a dead "
          "host (transport-fault connection-refused on every call); `lab` as in vapi mode. Re-run when the vapi host "
          "type has landed to exercise real sockets.")
    w("Resilience shortened for the soak: retry delay 50 ms (max 400 ms, jitter 20 ms), breaker delay 5 s, "
      "cool-down 3 s; everything else at its default (attempt timeout 30 s, deadline 60 s, bulkhead 64 + 256). "
      "Caller authentication off (`gateway.auth.enabled=false`): the soak is about the hosts' faults.")
    w("")
    w("| check | result | detail |")
    w("|---|---|---|")
    for c in r["checks"]:
        w(f"| {c['check']} | {'pass' if c['ok'] else '**FAIL**'} | {c['detail']} |")
    w("")
    w("Outcomes counted by the client and by the gateway (`guestops_terminate_requests_total`, delta over the soak):")
    w("")
    w("| flavour | host | outcome | client | gateway |")
    w("|---|---|---|---|---|")
    keys = sorted(set(r["client_counts"]) | set(r["metric_counts"]))
    for k in keys:
        f, h, o = k.split("|")
        w(f"| {f} | {h} | {o} | {r['client_counts'].get(k, 0):,} | {r['metric_counts'].get(k, 0):,} |")
    w("")
    w("Heap after a full GC (`jcmd GC.run` + `GC.heap_info`), open file descriptors, connections to the fault "
      "backend and RSS, sampled during the soak:")
    w("")
    w("| t (s) | heap after GC MiB | fds | backend conns | RSS MiB | requests sent |")
    w("|---|---|---|---|---|---|")
    for s in r["samples"]:
        w(f"| {s['t']:.0f} | {s['heap_after_gc_mb']:.1f} | {s['fds']} | {s['backend_connections']} | "
          f"{s['rss_mb']:.0f} | {s['sent']:,} |")
    w("")
    w(f"ERROR lines in the gateway log: {r['errors_logged']}" + (
        " (e.g. `" + r["error_examples"][0][:300].replace("|", "/") + "`)" if r["error_examples"] else "") + ".")
    w("")
    w("Client-side latency per request kind (p50 / p99, seconds): " + "; ".join(
        f"{k} {v[0]} / {v[1]}" for k, v in sorted(r["latency_p50_p99_s"].items())) + ".")
    w("")
    (out / "SOAK.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
