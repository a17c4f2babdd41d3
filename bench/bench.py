#!/usr/bin/env python3
"""guestops-gateway benchmark against a plain nginx reverse proxy (issues 9 and 16).

Run it through bench/run.sh (installs nginx and wrk, builds the app, the load driver, the minimal
proxy and the Quarkus floor). Python 3 standard library and openssl only. Everything listens on 127.0.0.1; every load run is
bounded in time.

Legs, measured alternately in one run (the order rotates every round):
  a  backend   nginx with canned vAPI answers, called directly           (the floor)
  b  nginx     nginx proxy_pass to the backend                           (the peer)
  v  vertx     a minimal Vert.x reverse proxy to the backend             (the JVM's floor for one hop)
  q  quarkus   v's forwarding as the one route of a Quarkus application with the gateway's extensions and
               settings                                                  (the floor of the gateway's stack)
  x  ceiling   leg c's gateway built with bench/ceiling/layers.patch and started with every layer of its own
               work switched off (-Dceiling=...): a measurement build, never a product; under wrk only
                                                                         (the most c could reach)
  c  gw-vapi   the gateway with a vapi host pointed at the backend       (what is measured)
  e  gw-auth   leg c with caller authentication on: every request carries the same RS256 bearer token
  d  gw-sim    the gateway on its embedded simulator (no hosts configured)

The JVM legs (v, q, x, c, e, d) run with the JVM options the Helm chart gives the pod (derived from
helm/guestops-gateway/values.yaml unless --jvm-opts is given; leg v without the gateway's -D properties, legs v
and q without the gateway's class archive).

Figures (each the median of --rounds runs): throughput with wrk at fixed connection counts;
latency percentiles at fixed request rates, open model, with Hyperfoil (bench/loadgen); RSS under
load and CPU seconds per 10 000 requests of the process(es) of each leg, from /proc; cold start to
the first successful request. Raw results: JSON lines in the output directory; report.py turns them
into SUMMARY.md.
"""

import argparse
import base64
import datetime
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
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import cpu_split  # bench/cpu_split.py, next to this file

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APP_JAR = ROOT / "target" / "quarkus-app" / "quarkus-run.jar"
LOADGEN = BENCH / "loadgen" / "target"

PATH_API = "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete"
BODY = b'{"credentials":{"type":"USERNAME_PASSWORD","user_name":"root","password":"vmware"}}'
HEADERS = {"Content-Type": "application/json", "vmware-api-session-id": "sess-1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

PROXY = BENCH / "loadgen" / "proxy" / "target"
FLOOR_POM = BENCH / "loadgen" / "quarkus-floor" / "pom.xml"
FLOOR_JAR = BENCH / "loadgen" / "quarkus-floor" / "target" / "quarkus-app" / "quarkus-run.jar"
CHART_VALUES = ROOT / "helm" / "guestops-gateway" / "values.yaml"

LEGS = {
    "a": "backend (nginx, canned vAPI answers)",
    "b": "nginx proxy_pass -> backend",
    "v": "minimal Vert.x proxy -> backend",
    "q": "Quarkus floor (the gateway's extensions and settings, v's forwarding) -> backend",
    "x": "the ceiling: leg c's gateway with every layer of its own work switched off -> backend",
    "c": "gateway, vapi host -> backend",
    "e": "gateway, vapi host -> backend, caller authentication on",
    "d": "gateway, embedded simulator",
}
PORT_OFFSETS = {"a": 0, "b": 1, "c": 2, "d": 3, "v": 4, "e": 5, "q": 6, "x": 7}
# Leg x: the gateway built with bench/ceiling/layers.patch (bench/ceiling/build.sh) and started with every layer of
# its own work switched off: the most leg c could reach if that work cost nothing. It answers the throughput question
# only, so it runs under wrk only: the throughput rounds and the profile (no cold start, no fixed-rate latency).
CEILING_LAYERS = "guard,service,record,track,edge,parse"
WRK_ONLY = ("x",)

DOCKERFILE = ROOT / "src" / "main" / "docker" / "Dockerfile.jvm"


def _image_metaspace_opts(dockerfile=DOCKERFILE):
    """-XX:MetaspaceSize as the base image's run-java.sh makes it from the Dockerfile's GC_METASPACE_SIZE."""
    m = re.search(r"(?m)^ENV GC_METASPACE_SIZE=(\d+)$", Path(dockerfile).read_text())
    return [f"-XX:MetaspaceSize={m.group(1)}m"] if m else []


# What the base image's run-java.sh (ubi9/openjdk-17-runtime, src/main/docker/Dockerfile.jvm) adds by itself
# besides the heap share (docs/operations.md, "Memory"), and the -D the image's JAVA_OPTS_APPEND sets that
# matters outside a container (the log manager; the other two are the bind address and tmpdir).
BASE_IMAGE_JVM_OPTS = ["-XX:+UseParallelGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
                       "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90"] + _image_metaspace_opts() + [
                       "-XX:+ExitOnOutOfMemoryError"]
IMAGE_APPEND_PROPS = ["-Djava.util.logging.manager=org.jboss.logmanager.LogManager"]
# The image's class archive (AppCDS): Dockerfile.jvm makes /deployments/app-cds.jsa with the image's java by running
# this script, and JAVA_OPTS_APPEND maps it. Here the same script makes it next to the packaged gateway with the
# local java (an archive serves only the JVM that wrote it, for the jar at the path it was made with).
TRAINING_SCRIPT = ROOT / "src" / "main" / "docker" / "appcds-train.sh"
ARCHIVE_OPTION = "-XX:SharedArchiveFile="


def class_archive(app_jar=APP_JAR):
    return Path(app_jar).resolve().parent / "app-cds.jsa"


def train_class_archive(jvm_opts, app_jar=APP_JAR):
    """Makes the class archive the options name, as the image build does; returns its size in MiB (None: not named)."""
    archive = class_archive(app_jar)
    if ARCHIVE_OPTION + str(archive) not in jvm_opts:
        return None
    log(f"class archive: {TRAINING_SCRIPT.relative_to(ROOT)} {archive.parent}")
    subprocess.run(["bash", str(TRAINING_SCRIPT), str(archive.parent)], check=True, timeout=240,
                   stdout=subprocess.DEVNULL)
    return round(archive.stat().st_size / 2**20, 1)


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
    """Resident set of the processes in MiB (/proc gives KiB; the "_mb" keys of the raw results are MiB too)."""
    values = [status_kb(p, "VmRSS") for p in pids]
    return sum(v for v in values if v) / 1024.0


def children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]
    except OSError:
        return []


def cpu_times():
    """(steal, total) clock ticks of all CPUs since boot, from /proc/stat: on a virtual machine, steal is the time
    the hypervisor gave this machine's CPUs to others."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def wait_quiet(idle_share=0.9, window_s=1.0, limit_s=90):
    """Waits until the CPUs were at least idle_share idle over one window (at most limit_s): a cold start measured
    while the build, the class archive's training or the previous leg's shutdown still hold a core measures them too.
    Returns (seconds waited, idle share of the last window)."""
    def idle_total():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields[:8])  # idle + iowait, all
    start = time.monotonic()
    while True:
        i0, t0 = idle_total()
        time.sleep(window_s)
        i1, t1 = idle_total()
        share = (i1 - i0) / max(1, t1 - t0)
        waited = time.monotonic() - start
        if share >= idle_share or waited >= limit_s:
            return round(waited, 1), round(share, 3)


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

def post_once(port, timeout=2.0, headers=None):
    """One terminate call; returns the HTTP status, or None when nothing answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", PATH_API, body=BODY, headers={**HEADERS, **(headers or {})})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except OSError:
        return None
    finally:
        conn.close()


def wait_first_success(port, deadline_s, proc=None, headers=None):
    """Polls every 5 ms until a 2xx; returns seconds since the call, or None (timed out / died)."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if proc is not None and proc.poll() is not None:
            return None
        status = post_once(port, timeout=1.0, headers=headers)
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


# ---- the chart's JVM options ------------------------------------------------------------------------

def _chart_value(lines, path):
    """The scalar at a dotted path of a block-style YAML file (keys and indentation only; enough for values.yaml)."""
    want, stack = path.split("."), []  # stack: (indent, key) of the enclosing mappings
    for line in lines:
        m = re.match(r"(\s*)([\w.-]+):(?:\s+(.*?))?\s*(?:#.*)?$", line)
        if not m or line.lstrip().startswith("#"):
            continue
        indent = len(m.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if [k for _, k in stack] + [m.group(2)] == want:
            return (m.group(3) or "").strip().strip('"').strip("'")
        stack.append((indent, m.group(2)))
    return None


def _mebibytes(quantity):
    m = re.fullmatch(r"(\d+)(Mi|Gi|M|G)", quantity or "")
    if not m:
        raise ValueError(f"memory limit {quantity!r} not understood")
    n, unit = int(m.group(1)), m.group(2)
    return n * 1024 if unit in ("Gi", "G") else n


def chart_jvm_opts(values=CHART_VALUES, app_jar=APP_JAR):
    """The JVM options the chart's pod runs with, outside a container: the base image's own options, the heap as
    javaMaxMemRatio percent of resources.limits.memory (-XX:MaxRAM stands for the container's limit, which the
    JVM reads from the cgroup inside the pod), the image's log manager and class archive (next to app_jar here:
    train_class_archive makes it) and the chart's javaOptsAppend. The
    chart's CPU limit (-XX:ActiveProcessorCount inside the pod) is not applied: every leg gets the same 2 cores
    here, nginx included. Returns (options, description)."""
    lines = Path(values).read_text().splitlines()
    ratio = _chart_value(lines, "javaMaxMemRatio")
    limit = _chart_value(lines, "resources.limits.memory")
    append = _chart_value(lines, "javaOptsAppend") or ""
    floor = int(_chart_value(lines, "javaMinHeapMiB") or 0)
    young = int(_chart_value(lines, "javaYoungGenMiB") or 0)
    if not ratio or not limit:
        raise ValueError(f"{values}: javaMaxMemRatio or resources.limits.memory not found")
    limit_mib = _mebibytes(limit)
    base = BASE_IMAGE_JVM_OPTS
    if re.search(r"-XX:\+Use\w+GC\b", append):  # a collector chosen in the chart replaces the image's ParallelGC
        base = [o for o in base if o != "-XX:+UseParallelGC"]
    heap_opts = ([f"-Xms{floor}m"] if floor > 0 else []) + ([f"-Xmn{young}m"] if young > 0 else [])
    opts = ([f"-XX:MaxRAM={limit_mib}m", f"-XX:MaxRAMPercentage={ratio}"] + base + IMAGE_APPEND_PROPS
            + [ARCHIVE_OPTION + str(class_archive(app_jar))] + heap_opts + append.split())
    heap = limit_mib * float(ratio) / 100
    return opts, (f"the chart's defaults (helm/guestops-gateway/values.yaml): javaMaxMemRatio {ratio} of the "
                  f"{limit} memory limit = a {heap:.0f} MiB heap"
                  + (f" (floor {floor} MiB, javaMinHeapMiB)" if floor > 0 else "")
                  + (f" with a {young} MiB young generation (javaYoungGenMiB)" if young > 0 else "")
                  + ", the base image's GC options, the image's GC_METASPACE_SIZE and its class archive"
                  + (f", javaOptsAppend `{append}`" if append else ""))


# ---- caller authentication for leg e ----------------------------------------------------------------

ISSUER = "https://issuer.bench.example"
AUDIENCE = "guestops-gateway"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Auth:
    """An RSA key pair made with openssl in the work directory, and one RS256 token signed with it (as
    .ci/newcomer-check mints one): the same token on every request, as one caller re-using its token would
    send it. Re-minted when less than 30 minutes of its hour are left, so long runs stay valid."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.private_key = self.dir / "bench-private.pem"
        self.public_key = self.dir / "bench-public.pem"
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", str(self.private_key)], check=True, capture_output=True, timeout=60)
        subprocess.run(["openssl", "pkey", "-in", str(self.private_key), "-pubout", "-out", str(self.public_key)],
                       check=True, capture_output=True, timeout=60)
        self.token, self.expires = None, 0

    def bearer(self):
        now = int(time.time())
        if self.token is None or self.expires - now < 1800:
            header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
            claims = b64url(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": "bench-caller",
                                        "groups": ["guestops.terminate"], "iat": now, "exp": now + 3600}).encode())
            signing_input = f"{header}.{claims}".encode()
            signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(self.private_key)],
                                       input=signing_input, capture_output=True, check=True, timeout=60).stdout
            self.token, self.expires = f"{header}.{claims}.{b64url(signature)}", now + 3600
        return "Bearer " + self.token


# ---- the JVM legs ---------------------------------------------------------------------------------

VAPI_CONFIG = """# bench leg (c): one vapi host, the loopback backend (plain http: loopback only)
gateway:
  auth:
    enabled: false   # callers are not authenticated in leg c: nginx (leg b) does not either; leg e does
  hosts:
    bench:
      type: vapi
      url: http://127.0.0.1:{backend}
      username: bench
      password: bench-password
  vms:
    vm-1: bench
"""

# bench leg (e): leg c with caller authentication on (RS256 tokens, key pair made by bench.py); verified tokens are
# remembered (gateway.auth.verified-token-cache-size, its default)
VAPI_AUTH_CONFIG = VAPI_CONFIG.replace("enabled: false   # callers are not authenticated in leg c: nginx (leg b) does not either; leg e does",
                                       "enabled: true") + """mp:
  jwt:
    verify:
      publickey:
        location: {public_key}
      issuer: {issuer}
      audiences: {audience}
"""
assert "enabled: true" in VAPI_AUTH_CONFIG


class JvmLeg:
    """A JVM started for a leg, in its own working directory; cold start is measured from the launch to the
    first 2xx answer to the terminate call."""

    def __init__(self, name, port, workdir, jvm_opts=(), headers=None):
        self.name, self.port = name, port
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.jvm_opts = list(jvm_opts)
        self.headers = headers or (lambda: {})
        self.proc = None
        self.log_path = None
        self.gc_log = None

    def command(self):
        raise NotImplementedError

    def start(self, tag, deadline_s=30):
        """Launches the JVM; returns (seconds to first 2xx or None, Quarkus 'started in' seconds or None)."""
        self.log_path = self.dir / f"{self.name}-{tag}.log"
        command = self.command()
        self.gc_log = None
        if tag == "load":
            # the long-lived instance logs its collections (a line each, with the wall-clock time): the latency runs
            # report the pauses within their measured seconds (gc_pauses)
            self.gc_log = self.dir / f"{self.name}-gc.log"
            command = command[:1] + [f"-Xlog:gc:file={self.gc_log}:utctime"] + command[1:]
        logf = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(command, cwd=self.dir, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        logf.close()
        ready = wait_first_success(self.port, deadline_s, self.proc, headers=self.headers())
        took = None if ready is None else time.monotonic() - t0
        # the log line can reach the file just after the first answer (leg q's did, in some starts): look again
        # for a moment, only once the start is over, so the wait is not measured
        deadline = time.monotonic() + (2.0 if ready is not None else 0.0)
        while True:
            m = re.search(r"started in ([0-9.]+)s", self.log_path.read_text(errors="replace"))
            if m or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        return took, float(m.group(1)) if m else None

    def failure(self):
        text = self.log_path.read_text(errors="replace") if self.log_path else ""
        status = post_once(self.port, timeout=2.0, headers=self.headers()) if self.pids() else None
        tail = " | ".join(text.strip().splitlines()[-3:])[-400:]
        return f"no 2xx answer (last status {status}); log: {tail or 'empty'}"

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


class Gateway(JvmLeg):
    """The packaged application (target/quarkus-app), started the way the pod starts it: its working directory
    holds config/application.yaml (legs c, e) or nothing (leg d, embedded demo)."""

    def __init__(self, name, port, workdir, config=None, jvm_opts=(), extra_props=(), app_jar=APP_JAR, headers=None,
                 backend_port=None):
        super().__init__(name, port, workdir, jvm_opts, headers)
        self.app_jar = Path(app_jar)
        if config is None and backend_port:  # leg c's configuration (bench/whatif.py --leg c)
            config = VAPI_CONFIG.format(backend=backend_port)
        (self.dir / "config").mkdir(parents=True, exist_ok=True)
        conf = self.dir / "config" / "application.yaml"
        if config:
            conf.write_text(config)
        elif conf.exists():
            conf.unlink()
        self.props = [f"-Dquarkus.http.port={port}",
                      # each gateway's health and metrics port too (9000 by default), so several run side by side
                      f"-Dquarkus.management.port={port + 1000}",
                      # the bench stops it with SIGTERM: no 5 s readiness-down delay in between
                      "-Dquarkus.shutdown.delay=0s"] + list(extra_props)

    def command(self):
        return ["java"] + self.jvm_opts + self.props + ["-jar", str(self.app_jar)]

    def failure(self):
        """Why it did not start: the first ERROR/exception lines of its log."""
        text = self.log_path.read_text(errors="replace") if self.log_path else ""
        for pattern in (r"[\w.=-]+ is not supported by this build", r"Invalid configuration of host[^\"\n]*",
                        r'"exceptionType":"[^"]*","message":"[^"]{0,300}', r'"level":"ERROR"[^\n]{0,300}'):
            m = re.search(pattern, text)
            if m:
                return m.group(0)[:400]
        return super().failure()


class VertxProxy(JvmLeg):
    """Leg v: bench/loadgen/proxy's MinimalProxy, with the gateway's JVM options minus its -D properties."""

    def __init__(self, name, port, workdir, backend_port, jvm_opts=()):
        # neither the gateway's -D properties nor its class archive
        super().__init__(name, port, workdir, [o for o in jvm_opts if not o.startswith(("-D", ARCHIVE_OPTION))])
        self.backend_port = backend_port

    def command(self):
        classpath = str(PROXY / "classes") + ":" + (PROXY / "classpath.txt").read_text().strip()
        return ["java"] + self.jvm_opts + ["-cp", classpath, "com.guestops.bench.MinimalProxy",
                                           "--port", str(self.port), "--backend-port", str(self.backend_port)]


class QuarkusFloor(Gateway):
    """Leg q: bench/loadgen/quarkus-floor, started as the gateway is (its -D properties, its JVM options) but
    without the gateway's class archive, which holds the gateway's classes, not these."""

    def __init__(self, name, port, workdir, backend_port, jvm_opts=()):
        super().__init__(name, port, workdir, jvm_opts=[o for o in jvm_opts if not o.startswith(ARCHIVE_OPTION)],
                         extra_props=[f"-Dfloor.backend-port={backend_port}"], app_jar=FLOOR_JAR)


def runtime_dependencies(pom):
    """(groupId, artifactId) of a pom's dependencies outside the test scope."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(pom).getroot()
    return {(d.findtext("m:groupId", namespaces=ns), d.findtext("m:artifactId", namespaces=ns))
            for d in root.findall("m:dependencies/m:dependency", ns)
            if d.findtext("m:scope", default="compile", namespaces=ns) != "test"}


def floor_differs(app_pom=ROOT / "pom.xml", floor_pom=FLOOR_POM):
    """Why leg q would not measure the gateway's stack (its dependencies differ from the gateway's), or None."""
    app, floor = runtime_dependencies(app_pom), runtime_dependencies(floor_pom)
    if app == floor:
        return None
    missing = sorted(f"{g}:{a}" for g, a in app - floor)
    extra = sorted(f"{g}:{a}" for g, a in floor - app)
    return (f"{floor_pom.relative_to(ROOT)} must have the gateway's runtime dependencies (pom.xml): "
            + "; ".join(part for part in (f"missing {', '.join(missing)}" if missing else "",
                                          f"not the gateway's {', '.join(extra)}" if extra else "") if part))


# ---- load tools -------------------------------------------------------------------------------------

def run_wrk(port, connections, duration, threads=2, headers=None):
    """wrk with bench/wrk/terminate.lua; an Authorization header (leg e) goes in through BENCH_AUTHORIZATION."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "-s", str(BENCH / "wrk" / "terminate.lua"), f"http://127.0.0.1:{port}"]
    env = {k: v for k, v in os.environ.items() if k != "BENCH_AUTHORIZATION"}
    if headers and "Authorization" in headers:
        env["BENCH_AUTHORIZATION"] = headers["Authorization"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, env=env).stdout
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON "):])
    raise RuntimeError("wrk printed no summary:\n" + out)


def warm_jit(pid, port, connections, limit_s, min_s, headers=None):
    """wrk load on a JVM until its JIT compiler is done: 5 s slices until two in a row agree within 5 % *and* the
    compiler threads took under 1 % of the JVM's CPU in both (at least min_s, at most limit_s). Throughput alone
    plateaus while C2 is still at work: stopped there, the gateway was measured at 11k req/s and profiled, after more
    load, at 16k. Returns (req/s per slice, the compiler's share of CPU per slice, seconds, stable)."""
    slices, jit_shares, elapsed = [], [], 0
    while elapsed < limit_s:
        step = min(5, limit_s - elapsed)
        before = cpu_split.thread_cpu(pid)
        slices.append(run_wrk(port, connections, step, headers=headers)["rps"])
        after = cpu_split.thread_cpu(pid)
        spent = {key: after[key] - before.get(key, 0.0) for key in after}
        jit = sum(v for (group, _), v in spent.items() if group == "JIT compiler")
        jit_shares.append(round(jit / max(sum(spent.values()), 0.01), 4))
        elapsed += step
        if elapsed >= min_s and warmed(slices, jit_shares):
            break
    return slices, jit_shares, elapsed, warmed(slices, jit_shares)


def warmed(slices, jit_shares):
    """Two last warm-up slices agree within 5 % and the JIT compiler was quiet (< 1 % of the CPU) in both."""
    return (len(slices) >= 2 and slices[-2] > 0 and abs(slices[-1] - slices[-2]) / slices[-2] <= 0.05
            and all(share < 0.01 for share in jit_shares[-2:]))


GC_PAUSE = re.compile(r"^\[([^\]]+)\] GC\(\d+\) Pause (Young|Full) .* ([0-9.]+)ms$")


def gc_pauses(gc_log, from_ms, to_ms):
    """The collections a JVM's -Xlog:gc file (utctime decoration) records between two epoch milliseconds: how many
    young and full collections, and the longest pause of each kind (ms). A collection is listed when it ends, so
    one that ends inside the window counts. None without a log."""
    if gc_log is None or not Path(gc_log).exists():
        return None
    found = {"young": 0, "young_max_ms": 0.0, "full": 0, "full_max_ms": 0.0}
    for line in Path(gc_log).read_text(errors="replace").splitlines():
        m = GC_PAUSE.match(line)
        if not m:
            continue
        at = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000
        if from_ms <= at <= to_ms:
            kind = m.group(2).lower()
            found[kind] += 1
            found[f"{kind}_max_ms"] = max(found[f"{kind}_max_ms"], float(m.group(3)))
    return found


def run_openload(port, rate, duration, warmup, connections, label, out_file, headers=None):
    classpath = str(LOADGEN / "classes") + ":" + (LOADGEN / "classpath.txt").read_text().strip()
    extra = []
    for name, value in (headers or {}).items():
        extra += ["--header", f"{name}: {value}"]
    cmd = ["java", "-Xmx1g", "-XX:+UseParallelGC", "-cp", classpath, "com.guestops.bench.OpenLoad",
           "--url", f"http://127.0.0.1:{port}", "--path", PATH_API,
           "--header", "Content-Type: application/json", "--header", "vmware-api-session-id: sess-1", *extra,
           "--body", BODY.decode(), "--rate", str(rate), "--warmup", str(warmup), "--duration", str(duration),
           "--connections", str(connections), "--threads", "2", "--label", label, "--out", str(out_file)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + warmup + 90)
    if res.returncode != 0 or not Path(out_file).exists():
        raise RuntimeError("load driver failed:\n" + res.stdout[-2000:] + res.stderr[-4000:])
    return json.loads(Path(out_file).read_text())


def token_cache_in(app_jar):
    """Whether the packaged gateway has the verified-token cache (gateway.auth.verified-token-cache-size)."""
    for jar in sorted((Path(app_jar).parent / "app").glob("*.jar")):
        try:
            with zipfile.ZipFile(jar) as z:
                data = z.read("com/guestops/gateway/security/AuthConfig.class")
        except (KeyError, OSError, zipfile.BadZipFile):
            continue
        return b"verifiedTokenCacheSize" in data
    return None


# ---- the run --------------------------------------------------------------------------------------

def rotate(items, k):
    if not items:
        return items
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
    ap.add_argument("--rate-fractions", default="0.1,0.25", help="fixed rates, as fractions of nginx's max rate")
    ap.add_argument("--lat-duration", type=int, default=6, help="seconds per measured fixed-rate run")
    ap.add_argument("--lat-warmup", type=int, default=3, help="seconds of warm-up before each fixed-rate run")
    ap.add_argument("--lat-connections", type=int, default=128, help="Hyperfoil connections (fixed-rate runs)")
    ap.add_argument("--jit-warmup", type=int, default=120,
                    help="at most this many seconds of wrk load on each JVM leg before measuring: 5 s slices until "
                         "two slices in a row agree within 5 %% and the JIT compiler took under 1 %% of the JVM's "
                         "CPU in both (and at least --jit-warmup-min seconds)")
    ap.add_argument("--jit-warmup-min", type=int, default=15)
    ap.add_argument("--jvm-opts", default=None,
                    help="JVM options of the JVM legs (default: what the Helm chart's defaults give the pod, "
                         "from helm/guestops-gateway/values.yaml)")
    ap.add_argument("--profile-duration", type=int, default=15,
                    help="seconds of wrk load (64 connections) recorded with JFR on legs v, q, x, c and e after the "
                         "measured runs, for the summary's 'Where the CPU goes' (0: no profile)")
    ap.add_argument("--legs", default="a,b,v,q,x,c,e,d")
    ap.add_argument("--app-jar", default=str(APP_JAR), help="the packaged gateway (default: this checkout's)")
    ap.add_argument("--ceiling-jar", default=None,
                    help="leg x's build: the gateway with bench/ceiling/layers.patch (bench/run.sh makes it)")
    ap.add_argument("--base-port", type=int, default=18081)
    args = ap.parse_args()

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    legs = args.legs.split(",")
    unknown = [leg for leg in legs if leg not in LEGS]
    if unknown:
        ap.error(f"unknown legs {unknown}; known: {', '.join(LEGS)}")
    if "a" not in legs:
        legs.insert(0, "a")  # every other leg calls it
    args.legs = ",".join(legs)
    conns = [int(c) for c in args.connections.split(",")]
    ports = {leg: args.base_port + off for leg, off in PORT_OFFSETS.items()}
    if args.jvm_opts is None:
        jvm_opts, jvm_source = chart_jvm_opts(app_jar=args.app_jar)
        args.jvm_opts = " ".join(jvm_opts)
    else:
        jvm_opts, jvm_source = args.jvm_opts.split(), "given with --jvm-opts / BENCH_JVM_OPTS"
    archive_mib = train_class_archive(jvm_opts, args.app_jar)
    for f in ("coldstart.jsonl", "throughput.jsonl", "latency.jsonl", "warmup.jsonl", "meta.json",
              "unavailable.jsonl", "failed.jsonl", "profile.jsonl"):
        (out / f).unlink(missing_ok=True)

    backend = Nginx("backend", "backend.conf", ports["a"], work / "nginx")
    proxy = Nginx("proxy", "proxy.conf", ports["b"], work / "nginx", upstream_port=ports["a"])
    auth = Auth(work / "auth") if "e" in legs else None
    jvms = {}
    if "v" in legs:
        jvms["v"] = VertxProxy("vertx", ports["v"], work / "vertx", backend_port=ports["a"], jvm_opts=jvm_opts)
    unavailable = {}
    if "q" in legs:
        differs = floor_differs()
        if differs:
            unavailable["q"] = differs  # reported as not measured; the other legs run
        else:
            jvms["q"] = QuarkusFloor("quarkus-floor", ports["q"], work / "quarkus-floor", backend_port=ports["a"],
                                     jvm_opts=jvm_opts)
    if "c" in legs:
        jvms["c"] = Gateway("gw-vapi", ports["c"], work / "gw-vapi", config=VAPI_CONFIG.format(backend=ports["a"]),
                            jvm_opts=jvm_opts, app_jar=args.app_jar)
    if "e" in legs:
        jvms["e"] = Gateway("gw-auth", ports["e"], work / "gw-auth",
                            config=VAPI_AUTH_CONFIG.format(backend=ports["a"], public_key=auth.public_key,
                                                           issuer=ISSUER, audience=AUDIENCE),
                            jvm_opts=jvm_opts, app_jar=args.app_jar,
                            headers=lambda: {"Authorization": auth.bearer()})
    if "x" in legs:
        if not args.ceiling_jar or not Path(args.ceiling_jar).exists():
            unavailable["x"] = "no ceiling build (--ceiling-jar; bench/run.sh makes it with bench/ceiling/build.sh)"
        else:
            # its own class archive, made as the shipped build's is: an archive serves only the jar it was made for
            x_opts = [ARCHIVE_OPTION + str(class_archive(args.ceiling_jar)) if o.startswith(ARCHIVE_OPTION) else o
                      for o in jvm_opts]
            train_class_archive(x_opts, args.ceiling_jar)
            jvms["x"] = Gateway("gw-ceiling", ports["x"], work / "gw-ceiling",
                                config=VAPI_CONFIG.format(backend=ports["a"]), jvm_opts=x_opts,
                                extra_props=[f"-Dceiling={CEILING_LAYERS}"], app_jar=args.ceiling_jar)
    if "d" in legs:
        jvms["d"] = Gateway("gw-sim", ports["d"], work / "gw-sim", jvm_opts=jvm_opts, app_jar=args.app_jar)
    jvm_legs = [leg for leg in legs if leg in jvms]
    for leg, reason in unavailable.items():
        log(f"  leg {leg} unavailable: {reason}")
        append(out / "unavailable.jsonl", {"leg": leg, "reason": reason})

    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "args": vars(args), "ports": ports,
            "jvm_opts_source": jvm_source, "loadavg_start": loadavg(), "class_archive_mib": archive_mib,
            "cpus": os.cpu_count()}
    if "x" in jvms:
        meta["ceiling_layers"] = CEILING_LAYERS
    steal0 = cpu_times()
    if auth:
        meta["auth"] = {"issuer": ISSUER, "audience": AUDIENCE, "algorithm": "RS256 (2048-bit RSA)",
                        "token_lifetime_s": 3600, "token_cache_in_build": token_cache_in(args.app_jar)}

    groups = {"a": backend.pids, "b": proxy.pids}
    groups.update({leg: j.pids for leg, j in jvms.items()})

    def pids_of(leg):
        return groups.get(leg, lambda: [])()

    def headers_of(leg):
        return jvms[leg].headers() if leg in jvms else {}

    try:
        # -- cold start: process launch to the first successful terminate call ----------------------
        log(f"cold start, {args.rounds} rounds")
        for r in range(args.rounds):
            starts = [j for j in jvm_legs if j not in unavailable and j not in WRK_ONLY]
            for leg in ["a"] + (["b"] if "b" in legs else []) + rotate(starts, r):
                if leg == "a":
                    took, started = backend.start(), None
                elif leg == "b":
                    took, started = proxy.start(), None
                else:
                    waited, idle = wait_quiet()
                    took, started = jvms[leg].start(f"cold{r}")
                    if took is None:
                        unavailable[leg] = jvms[leg].failure()
                        log(f"  leg {leg} unavailable: {unavailable[leg]}")
                        append(out / "unavailable.jsonl", {"leg": leg, "reason": unavailable[leg]})
                    jvms[leg].stop()
                if took is not None:
                    record = {"leg": leg, "round": r, "seconds": took, "quarkus_started_in": started}
                    if leg in jvms:
                        record.update(quiet_wait_s=waited, idle_share_before=idle)
                    append(out / "coldstart.jsonl", record)
                    log(f"  {leg}: {took * 1000:.0f} ms" + (f" (Quarkus: started in {started}s)" if started else ""))
            proxy.stop()
            backend.stop()

        # -- long-lived instances for the load runs --------------------------------------------------
        backend.start()
        if "b" in legs:
            proxy.start()
        active = [leg for leg in legs if leg not in unavailable]
        for leg in jvm_legs:
            if leg not in active:
                continue
            took, _ = jvms[leg].start("load", deadline_s=60)
            reason = jvms[leg].failure() if took is None else None
            if reason is None and leg == "e":
                # leg e must measure authentication: the same call without a token is refused
                without = post_once(ports[leg], timeout=10.0)
                meta["auth"]["status_without_token"] = without
                if without != 401:
                    reason = f"caller authentication not enforced: {without} without a token, 401 expected"
            if reason is not None:
                unavailable[leg] = reason
                log(f"  leg {leg} unavailable: {reason}")
                append(out / "unavailable.jsonl", {"leg": leg, "reason": reason})
                active.remove(leg)
                jvms[leg].stop()
                continue
            slices, jit_shares, elapsed, stable = warm_jit(pids_of(leg)[0], ports[leg], max(conns), args.jit_warmup,
                                                            args.jit_warmup_min, headers=headers_of(leg))
            append(out / "warmup.jsonl", {"leg": leg, "seconds": elapsed, "slices_rps": slices,
                                          "jit_cpu_share": jit_shares, "stable": stable})
            log(f"JIT warm-up of {leg}: {elapsed}s, req/s per 5 s slice {[round(x) for x in slices]}, "
                f"JIT share of CPU {jit_shares}"
                + ("" if stable else " (not stable yet: limit reached)"))
        for leg in ("a", "b"):
            if leg in active:
                run_wrk(ports[leg], max(conns), 2)

        # -- throughput: wrk, fixed connection counts ------------------------------------------------
        log(f"throughput: legs {active}, connections {conns}, {args.duration}s each, {args.rounds} rounds")
        for r in range(args.rounds):
            for c in conns:
                for leg in rotate(active, r):
                    sampler = RssSampler(lambda leg=leg: pids_of(leg))
                    cpu0 = {k: cpu_seconds(fn()) for k, fn in groups.items()}
                    la = loadavg()[0]
                    sampler.start()
                    try:
                        res = run_wrk(ports[leg], c, args.duration, headers=headers_of(leg))
                    except (RuntimeError, subprocess.TimeoutExpired) as e:
                        sampler.finish()
                        append(out / "failed.jsonl", {"leg": leg, "round": r, "connections": c, "error": str(e)[-600:]})
                        log(f"  r{r} c={c} {leg}: wrk failed ({str(e)[-200:]!r})")
                        continue
                    rss = sampler.finish()
                    cpu = {k: cpu_seconds(fn()) - cpu0[k] for k, fn in groups.items()}
                    rec = {"leg": leg, "round": r, "connections": c, **res, "rss_max_mb": rss,
                           "cpu_s": cpu, "own_cpu_s": cpu[leg], "loadavg1": la}
                    rec["own_cpu_s_per_10k"] = cpu[leg] / res["requests"] * 10000 if res["requests"] else None
                    append(out / "throughput.jsonl", rec)
                    log(f"  r{r} c={c} {leg}: {res['rps']:.0f} req/s, p99 {res['p99_ms']:.1f} ms, "
                        f"non-2xx {res['non2xx']}, cpu/10k {rec['own_cpu_s_per_10k'] or 0:.3f}s, rss {rss:.0f} MB")

        # -- latency: Hyperfoil, fixed rates relative to nginx's max ---------------------------------
        rows = [json.loads(x) for x in (out / "throughput.jsonl").read_text().splitlines()] \
            if (out / "throughput.jsonl").exists() else []
        b_rps = [statistics.median(x["rps"] for x in rows if x["leg"] == "b" and x["connections"] == c)
                 for c in conns if any(x["leg"] == "b" and x["connections"] == c for x in rows)]
        nginx_max = max(b_rps) if b_rps else None
        meta["nginx_max_rps"] = nginx_max
        if nginx_max:
            fractions = args.rate_fractions.split(",")
            rates = [max(100, int(nginx_max * float(f) / 100) * 100) for f in fractions]
            meta["rates"] = dict(zip(fractions, rates))
            log(f"latency: nginx max {nginx_max:.0f} req/s -> rates {rates}")
            timed = [leg for leg in active if leg not in WRK_ONLY]
            # One unrecorded open-loop run per leg first, at the lowest rate: the first open-loop run after the
            # saturation runs was slow on every JVM leg, whatever the build (round 0 blocked in most summaries;
            # side by side, two builds alike), which measured the switch from wrk to the load driver, not the leg.
            for leg in timed:
                try:
                    run_openload(ports[leg], rates[0], args.lat_duration, args.lat_warmup, args.lat_connections,
                                 leg, work / f"openload-{leg}-warmup.json", headers=headers_of(leg))
                    log(f"  open-loop warm-up of {leg} at {rates[0]}/s done (not recorded)")
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    log(f"  open-loop warm-up of {leg}: load driver failed ({str(e)[-200:]!r})")
            for r in range(args.rounds):
                for rate in rates:
                    for leg in rotate(timed, r):
                        sampler = RssSampler(lambda leg=leg: pids_of(leg))
                        la = loadavg()[0]
                        cpu0 = cpu_seconds(pids_of(leg))
                        sampler.start()
                        try:
                            res = run_openload(ports[leg], rate, args.lat_duration, args.lat_warmup,
                                               args.lat_connections, leg, work / f"openload-{leg}-{rate}-{r}.json",
                                               headers=headers_of(leg))
                        except (RuntimeError, subprocess.TimeoutExpired) as e:
                            sampler.finish()
                            append(out / "failed.jsonl", {"leg": leg, "round": r, "rate": rate, "error": str(e)[-600:]})
                            log(f"  r{r} {rate}/s {leg}: load driver failed ({str(e)[-200:]!r})")
                            continue
                        rss = sampler.finish()
                        cpu = cpu_seconds(pids_of(leg)) - cpu0
                        # the CPU covers the warm-up phase too: per request over both phases' requests
                        sent = res["requests"] * (args.lat_duration + args.lat_warmup) / args.lat_duration
                        rec = {"leg": leg, "round": r, **res, "rss_max_mb": rss, "loadavg1": la, "own_cpu_s": cpu,
                               "own_cpu_s_per_10k": cpu / sent * 10000 if sent else None}
                        if leg in jvms and "ended_at_ms" in res:
                            # the collections within the measured seconds (the last args.lat_duration of the run)
                            rec["gc"] = gc_pauses(jvms[leg].gc_log, res["ended_at_ms"] - args.lat_duration * 1000,
                                                  res["ended_at_ms"])
                        append(out / "latency.jsonl", rec)
                        log(f"  r{r} {rate}/s {leg}: p50 {res['p50_ms']:.2f} p99 {res['p99_ms']:.2f} ms, "
                            f"2xx {res['status_2xx']}/{res['requests']}, blocked {res['blocked_ms']:.0f} ms")

        # -- profile: after every measured run, so that the recording cannot disturb them ----------------
        if args.profile_duration > 0:
            # the floors, the ceiling and the legs the targets judge; leg d would add minutes and answer no target
            profiled = [leg for leg in ("v", "q", "x", "c", "e") if leg in jvm_legs and leg in active]
            log(f"profile: legs {profiled}, {args.profile_duration}s of wrk at 64 connections each, recorded with JFR")
            for leg in profiled:
                pids = jvms[leg].pids()
                if not pids:
                    continue
                try:
                    rec = cpu_split.profile_leg(pids[0], args.profile_duration, work / f"profile-{leg}.jfr",
                                              lambda s, leg=leg: run_wrk(ports[leg], 64, s, headers=headers_of(leg)))
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    log(f"  profile of {leg} failed ({str(e)[-200:]!r})")
                    continue
                append(out / "profile.jsonl", {"leg": leg, **rec})
                log(f"  {leg}: {rec['rps']:.0f} req/s, {rec['event_loop_samples']} event-loop samples")

        for leg, j in jvms.items():
            pids = j.pids()
            if pids:
                meta[f"vmhwm_mb_{leg}"] = (status_kb(pids[0], "VmHWM") or 0) / 1024.0
    finally:
        for j in jvms.values():
            j.stop()
        proxy.stop()
        backend.stop()
        meta["unavailable"] = unavailable
        meta["loadavg_end"] = loadavg()
        steal1 = cpu_times()
        if steal1[1] > steal0[1]:
            meta["steal_pct"] = round(100.0 * (steal1[0] - steal0[0]) / (steal1[1] - steal0[1]), 1)
        meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        trim_logs(work)
    return 0


LOG_KEEP_BYTES = 4 << 20


def trim_logs(work):
    """The gateway legs log an audit line per request: a run's logs grew to 3-5 GB, and a few runs filled the disk.
    Keeps each log's first 4 MiB (start-up, the first requests, any early error) and its last 4 MiB (the end of the
    load, shutdown); the cut is marked."""
    for path in Path(work).rglob("*.log"):
        size = path.stat().st_size
        if size <= 2 * LOG_KEEP_BYTES:
            continue
        with open(path, "rb") as f:
            head = f.read(LOG_KEEP_BYTES)
            f.seek(size - LOG_KEEP_BYTES)
            tail = f.read()
        cut = f"\n[bench: {size - 2 * LOG_KEEP_BYTES} bytes cut from the middle of this log]\n".encode()
        path.write_bytes(head + cut + tail)


if __name__ == "__main__":
    sys.exit(main())
