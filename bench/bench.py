#!/usr/bin/env python3
"""guestops-gateway benchmark against a plain nginx reverse proxy (issue 9, items 1-2).

Run it through bench/run.sh (installs nginx and wrk, builds the app and the load driver). Python 3
standard library only. Everything listens on 127.0.0.1; every load run is bounded in time.

Legs, measured alternately in one run (the order rotates every round):
  a  backend   nginx with canned vAPI answers, called directly           (the floor)
  b  nginx     nginx proxy_pass to the backend                           (the peer)
  c  gw-vapi   the gateway with a vapi host pointed at the backend       (what is measured)
  d  gw-sim    the gateway on its embedded simulator (no hosts configured)

Figures (each the median of --rounds runs): throughput with wrk at fixed connection counts;
latency percentiles at fixed request rates, open model, with Hyperfoil (bench/loadgen); RSS under
load and CPU seconds per 10 000 requests of the process(es) of each leg, from /proc; cold start to
the first successful request. Raw results: JSON lines in the output directory; report.py turns them
into SUMMARY.md.
"""

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APP_JAR = ROOT / "target" / "quarkus-app" / "quarkus-run.jar"
LOADGEN = BENCH / "loadgen" / "target"

PATH_API = "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete"
BODY = b'{"credentials":{"type":"USERNAME_PASSWORD","user_name":"root","password":"vmware"}}'
HEADERS = {"Content-Type": "application/json", "vmware-api-session-id": "sess-1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

LEGS = {
    "a": "backend (nginx, canned vAPI answers)",
    "b": "nginx proxy_pass -> backend",
    "c": "gateway, vapi host -> backend",
    "d": "gateway, embedded simulator",
}


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# ---- /proc ------------------------------------------------------------------------------------

def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total / CLK_TCK


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def rss_mb(pids):
    values = [status_kb(p, "VmRSS") for p in pids]
    return sum(v for v in values if v) / 1024.0


def children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]
    except OSError:
        return []


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


class RssSampler(threading.Thread):
    """Largest RSS of a process group while a load run lasts (sampled every 200 ms)."""

    def __init__(self, pids_fn):
        super().__init__(daemon=True)
        self.pids_fn = pids_fn
        self.max_mb = 0.0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.max_mb = max(self.max_mb, rss_mb(self.pids_fn()))
            self.stop.wait(0.2)

    def finish(self):
        self.stop.set()
        self.join()
        self.max_mb = max(self.max_mb, rss_mb(self.pids_fn()))
        return self.max_mb


# ---- calling the legs ---------------------------------------------------------------------------

def post_once(port, timeout=2.0):
    """One terminate call; returns the HTTP status, or None when nothing answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", PATH_API, body=BODY, headers=HEADERS)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except OSError:
        return None
    finally:
        conn.close()


def wait_first_success(port, deadline_s, proc=None):
    """Polls every 5 ms until a 2xx; returns seconds since the call, or None (timed out / died)."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if proc is not None and proc.poll() is not None:
            return None
        status = post_once(port, timeout=1.0)
        if status is not None and 200 <= status < 300:
            return time.monotonic() - start
        time.sleep(0.005)
    return None


# ---- nginx --------------------------------------------------------------------------------------

class Nginx:
    def __init__(self, name, template, port, workdir, upstream_port=None):
        self.name, self.port, self.dir = name, port, Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / f"tmp-{name}").mkdir(exist_ok=True)
        text = (BENCH / "nginx" / template).read_text()
        text = text.replace("@PORT@", str(port)).replace("@DIR@", str(self.dir))
        if upstream_port:
            text = text.replace("@UPSTREAM_PORT@", str(upstream_port))
        self.conf = self.dir / f"{name}.conf"
        self.conf.write_text(text)
        self.pidfile = self.dir / f"{name}.pid"

    def start(self):
        """Starts it (daemon) and returns seconds from the command to the first 2xx."""
        t0 = time.monotonic()
        subprocess.run(["nginx", "-c", str(self.conf), "-p", str(self.dir), "-e", str(self.dir / f"{self.name}-error.log")],
                       check=True)
        ready = wait_first_success(self.port, 10)
        if ready is None:
            raise RuntimeError(f"nginx {self.name} did not answer on {self.port}")
        return time.monotonic() - t0

    def master(self):
        try:
            return int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def pids(self):
        m = self.master()
        return [m] + children(m) if m else []

    def stop(self):
        m = self.master()
        if m:
            try:
                os.kill(m, signal.SIGTERM)
            except ProcessLookupError:
                pass
            for _ in range(100):
                try:
                    os.kill(m, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)


# ---- the gateway ----------------------------------------------------------------------------------

VAPI_CONFIG = """# bench leg (c): one vapi host, the loopback backend (plain http: loopback only)
gateway:
  auth:
    enabled: false   # callers are not authenticated in the bench: nginx (leg b) does not either
  hosts:
    bench:
      type: vapi
      url: http://127.0.0.1:{backend}
      username: bench
      password: bench-password
  vms:
    vm-1: bench
"""


class Gateway:
    """The packaged application (target/quarkus-app), started the way the pod starts it: its
    working directory holds config/application.yaml (leg c) or nothing (leg d, embedded demo)."""

    def __init__(self, name, port, workdir, backend_port=None, jvm_opts=(), extra_props=(), app_jar=APP_JAR):
        self.name, self.port, self.app_jar = name, port, Path(app_jar)
        self.dir = Path(workdir)
        (self.dir / "config").mkdir(parents=True, exist_ok=True)
        conf = self.dir / "config" / "application.yaml"
        if backend_port:
            conf.write_text(VAPI_CONFIG.format(backend=backend_port))
        elif conf.exists():
            conf.unlink()
        self.jvm_opts = list(jvm_opts)
        self.props = [f"-Dquarkus.http.port={port}",
                      # the bench stops it with SIGTERM: no 5 s readiness-down delay in between
                      "-Dquarkus.shutdown.delay=0s"] + list(extra_props)
        self.proc = None
        self.log_path = None

    def start(self, tag, deadline_s=30):
        """Launches the JVM; returns (seconds to first 2xx or None, Quarkus 'started in' seconds or None)."""
        self.log_path = self.dir / f"{self.name}-{tag}.log"
        logf = open(self.log_path, "w")
        cmd = ["java"] + self.jvm_opts + self.props + ["-jar", str(self.app_jar)]
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=logf, stderr=subprocess.STDOUT)
        ready = wait_first_success(self.port, deadline_s, self.proc)
        took = None if ready is None else time.monotonic() - t0
        started = None
        m = re.search(r"started in ([0-9.]+)s", self.log_path.read_text(errors="replace"))
        if m:
            started = float(m.group(1))
        return took, started

    def failure(self):
        """Why it did not start: the first ERROR/exception lines of its log."""
        text = self.log_path.read_text(errors="replace") if self.log_path else ""
        for pattern in (r"[\w.=-]+ is not supported by this build", r"Invalid configuration of host[^\"\n]*",
                        r'"exceptionType":"[^"]*","message":"[^"]{0,300}', r'"level":"ERROR"[^\n]{0,300}'):
            m = re.search(pattern, text)
            if m:
                return m.group(0)[:400]
        return "no 2xx answer (see log)"

    def pids(self):
        return [self.proc.pid] if self.proc and self.proc.poll() is None else []

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# ---- load tools -------------------------------------------------------------------------------------

def run_wrk(port, connections, duration, threads=2):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "-s", str(BENCH / "wrk" / "terminate.lua"), f"http://127.0.0.1:{port}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON "):])
    raise RuntimeError("wrk printed no summary:\n" + out)


def run_openload(port, rate, duration, warmup, connections, label, out_file):
    classpath = str(LOADGEN / "classes") + ":" + (LOADGEN / "classpath.txt").read_text().strip()
    cmd = ["java", "-Xmx1g", "-XX:+UseParallelGC", "-cp", classpath, "com.guestops.bench.OpenLoad",
           "--url", f"http://127.0.0.1:{port}", "--path", PATH_API,
           "--header", "Content-Type: application/json", "--header", "vmware-api-session-id: sess-1",
           "--body", BODY.decode(), "--rate", str(rate), "--warmup", str(warmup), "--duration", str(duration),
           "--connections", str(connections), "--threads", "2", "--label", label, "--out", str(out_file)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + warmup + 90)
    if res.returncode != 0 or not Path(out_file).exists():
        raise RuntimeError("load driver failed:\n" + res.stdout[-2000:] + res.stderr[-4000:])
    return json.loads(Path(out_file).read_text())


# ---- the run --------------------------------------------------------------------------------------

def rotate(items, k):
    k %= len(items)
    return items[k:] + items[:k]


def append(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for raw results")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", default="16,64", help="wrk connection counts")
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    ap.add_argument("--rate-fractions", default="0.1,0.25,0.5", help="fixed rates, as fractions of nginx's max rate")
    ap.add_argument("--lat-duration", type=int, default=6, help="seconds per measured fixed-rate run")
    ap.add_argument("--lat-warmup", type=int, default=3, help="seconds of warm-up before each fixed-rate run")
    ap.add_argument("--lat-connections", type=int, default=128, help="Hyperfoil connections (fixed-rate runs)")
    ap.add_argument("--jit-warmup", type=int, default=20, help="seconds of wrk load on each gateway before measuring")
    ap.add_argument("--jvm-opts", default="-Xmx384m -XX:+ExitOnOutOfMemoryError",
                    help="gateway JVM options (default: the heap a pod with the chart's 512 MiB limit gets)")
    ap.add_argument("--legs", default="a,b,c,d")
    ap.add_argument("--app-jar", default=str(APP_JAR), help="the packaged gateway (default: this checkout's)")
    ap.add_argument("--base-port", type=int, default=18081)
    args = ap.parse_args()

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    legs = args.legs.split(",")
    conns = [int(c) for c in args.connections.split(",")]
    p = args.base_port
    ports = {"a": p, "b": p + 1, "c": p + 2, "d": p + 3}
    jvm_opts = args.jvm_opts.split()
    for f in ("coldstart.jsonl", "throughput.jsonl", "latency.jsonl", "meta.json", "unavailable.jsonl", "failed.jsonl"):
        (out / f).unlink(missing_ok=True)

    backend = Nginx("backend", "backend.conf", ports["a"], work / "nginx")
    proxy = Nginx("proxy", "proxy.conf", ports["b"], work / "nginx", upstream_port=ports["a"])
    gws = {"c": Gateway("gw-vapi", ports["c"], work / "gw-vapi", backend_port=ports["a"], jvm_opts=jvm_opts,
                         app_jar=args.app_jar),
           "d": Gateway("gw-sim", ports["d"], work / "gw-sim", jvm_opts=jvm_opts, app_jar=args.app_jar)}
    unavailable = {}

    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "args": vars(args), "ports": ports,
            "loadavg_start": loadavg()}

    def pids_of(leg):
        return {"a": backend.pids, "b": proxy.pids}.get(leg, gws[leg].pids if leg in gws else lambda: [])()

    try:
        # -- cold start: process launch to the first successful terminate call ----------------------
        log(f"cold start, {args.rounds} rounds")
        for r in range(args.rounds):
            for leg in ["a", "b"] + rotate(["c", "d"], r):
                if leg not in legs and leg != "a":
                    continue
                if leg in unavailable:
                    continue
                if leg == "a":
                    took, started = backend.start(), None
                elif leg == "b":
                    took, started = proxy.start(), None
                else:
                    took, started = gws[leg].start(f"cold{r}")
                    if took is None:
                        unavailable[leg] = gws[leg].failure()
                        log(f"  leg {leg} unavailable: {unavailable[leg]}")
                        append(out / "unavailable.jsonl", {"leg": leg, "reason": unavailable[leg]})
                    gws[leg].stop()
                if took is not None:
                    append(out / "coldstart.jsonl", {"leg": leg, "round": r, "seconds": took, "quarkus_started_in": started})
                    log(f"  {leg}: {took * 1000:.0f} ms" + (f" (Quarkus: started in {started}s)" if started else ""))
            proxy.stop()
            backend.stop()

        # -- long-lived instances for the load runs --------------------------------------------------
        backend.start()
        proxy.start()
        active = [leg for leg in legs if leg not in unavailable]
        for leg in ("c", "d"):
            if leg in active:
                took, _ = gws[leg].start("load", deadline_s=60)
                if took is None:
                    unavailable[leg] = gws[leg].failure()
                    active.remove(leg)
                    continue
                log(f"JIT warm-up of {leg}: {args.jit_warmup}s")
                run_wrk(ports[leg], max(conns), args.jit_warmup)
        for leg in ("a", "b"):
            if leg in active:
                run_wrk(ports[leg], max(conns), 2)

        # -- throughput: wrk, fixed connection counts ------------------------------------------------
        log(f"throughput: legs {active}, connections {conns}, {args.duration}s each, {args.rounds} rounds")
        for r in range(args.rounds):
            for c in conns:
                for leg in rotate(active, r):
                    pids_fn = lambda leg=leg: pids_of(leg)
                    sampler = RssSampler(pids_fn)
                    groups = {"a": backend.pids, "b": proxy.pids}
                    groups.update({k: g.pids for k, g in gws.items()})
                    cpu0 = {k: cpu_seconds(fn()) for k, fn in groups.items()}
                    la = loadavg()[0]
                    sampler.start()
                    res = run_wrk(ports[leg], c, args.duration)
                    rss = sampler.finish()
                    cpu = {k: cpu_seconds(fn()) - cpu0[k] for k, fn in groups.items()}
                    rec = {"leg": leg, "round": r, "connections": c, **res, "rss_max_mb": rss,
                           "cpu_s": cpu, "own_cpu_s": cpu[leg], "loadavg1": la}
                    rec["own_cpu_s_per_10k"] = cpu[leg] / res["requests"] * 10000 if res["requests"] else None
                    append(out / "throughput.jsonl", rec)
                    log(f"  r{r} c={c} {leg}: {res['rps']:.0f} req/s, p99 {res['p99_ms']:.1f} ms, "
                        f"non-2xx {res['non2xx']}, cpu/10k {rec['own_cpu_s_per_10k'] or 0:.3f}s, rss {rss:.0f} MB")

        # -- latency: Hyperfoil, fixed rates relative to nginx's max ---------------------------------
        rows = [json.loads(x) for x in (out / "throughput.jsonl").read_text().splitlines()]
        nginx_max = max(statistics.median(x["rps"] for x in rows if x["leg"] == "b" and x["connections"] == c)
                        for c in conns) if "b" in active else None
        meta["nginx_max_rps"] = nginx_max
        if nginx_max:
            rates = [max(100, int(nginx_max * float(f) / 100) * 100) for f in args.rate_fractions.split(",")]
            meta["rates"] = dict(zip(args.rate_fractions.split(","), rates))
            log(f"latency: nginx max {nginx_max:.0f} req/s -> rates {rates}")
            for r in range(args.rounds):
                for rate in rates:
                    for leg in rotate(active, r):
                        pids_fn = lambda leg=leg: pids_of(leg)
                        sampler = RssSampler(pids_fn)
                        la = loadavg()[0]
                        sampler.start()
                        try:
                            res = run_openload(ports[leg], rate, args.lat_duration, args.lat_warmup,
                                               args.lat_connections, leg, work / f"openload-{leg}-{rate}-{r}.json")
                        except (RuntimeError, subprocess.TimeoutExpired) as e:
                            sampler.finish()
                            append(out / "failed.jsonl", {"leg": leg, "round": r, "rate": rate, "error": str(e)[-600:]})
                            log(f"  r{r} {rate}/s {leg}: load driver failed ({str(e)[-200:]!r})")
                            continue
                        rss = sampler.finish()
                        rec = {"leg": leg, "round": r, **res, "rss_max_mb": rss, "loadavg1": la}
                        append(out / "latency.jsonl", rec)
                        log(f"  r{r} {rate}/s {leg}: p50 {res['p50_ms']:.2f} p99 {res['p99_ms']:.2f} ms, "
                            f"2xx {res['status_2xx']}/{res['requests']}, blocked {res['blocked_ms']:.0f} ms")

        for leg in ("c", "d"):
            pids = gws[leg].pids()
            if pids:
                meta[f"vmhwm_mb_{leg}"] = (status_kb(pids[0], "VmHWM") or 0) / 1024.0
    finally:
        for g in gws.values():
            g.stop()
        proxy.stop()
        backend.stop()
        meta["unavailable"] = unavailable
        meta["loadavg_end"] = loadavg()
        meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
