#!/usr/bin/env python3
"""Where a JVM leg's CPU goes under load: per thread (from /proc, user and kernel time apart) and, for the
event loops' Java code, per layer of the stack (from a JFR recording's CPU samples).

bench.py calls profile_leg() on each JVM leg after the measured runs (so the recording cannot disturb them);
report.py turns the records into SUMMARY.md's "Where the CPU goes" section. By hand, on any running JVM:

  python3 bench/cpu_split.py <pid> <port> <seconds> <out.jfr>      # wrk at 64 connections on 127.0.0.1:<port>

Python 3 standard library and the JDK's jcmd and jfr only.
"""
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")

# /proc/<pid>/task/<tid>/comm holds the first 15 characters of a thread's name
THREAD_GROUPS = (
    ("event loops", ("vert.x-eventloo",)),
    ("worker threads", ("executor-thread", "vert.x-worker-t", "vert.x-internal")),
    ("GC and safepoints", ("GC Thread", "VM Thread")),
    ("JIT compiler", ("C1 CompilerThre", "C2 CompilerThre")),
    ("the recording itself", ("JFR ",)),
)
OTHER_THREADS = "other threads"

# the first frame from the top of a sample that is not the JDK's names the layer that spent it
LAYERS = (
    ("com.guestops.gateway.", "gateway's own code"),
    ("com.guestops.bench.", "the floor's own code (v, q)"),
    ("io.netty.", "Netty"),
    ("io.vertx.", "Vert.x"),
    ("org.jboss.resteasy.reactive.", "RESTEasy Reactive"),
    ("io.quarkus.resteasy.reactive.", "RESTEasy Reactive"),
    ("io.quarkus.arc.", "ArC (CDI)"),
    ("io.smallrye.mutiny.", "Mutiny"),
    ("io.smallrye.faulttolerance.", "SmallRye Fault Tolerance"),
    ("io.smallrye.context.", "context propagation"),
    ("io.smallrye.jwt.", "JWT verification"),
    ("org.jose4j.", "JWT verification"),
    ("io.quarkus.smallrye.jwt.", "JWT verification"),
    ("io.quarkus.security.", "Quarkus security"),
    ("io.quarkus.vertx.http.runtime.security.", "Quarkus security"),
    ("com.fasterxml.jackson.", "Jackson"),
    ("io.micrometer.", "Micrometer"),
    ("io.quarkus.micrometer.", "Micrometer"),
    ("io.opentelemetry.", "OpenTelemetry"),
    ("io.quarkus.opentelemetry.", "OpenTelemetry"),
    ("org.jboss.logmanager.", "logging"),
    ("org.jboss.logging.", "logging"),
    ("io.quarkus.", "other Quarkus runtime"),
    ("io.smallrye.", "other SmallRye"),
)
JDK_PREFIXES = ("java.", "javax.", "jdk.", "sun.", "com.sun.")
JDK_ONLY = "JDK only (no library frame)"


def thread_group(name):
    for group, prefixes in THREAD_GROUPS:
        if name.startswith(prefixes):
            return group
    return OTHER_THREADS


def thread_cpu(pid):
    """{(group, 'user'|'kernel'): seconds} over the threads of a process, from /proc."""
    out = Counter()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            name = (task / "comm").read_text().rstrip("\n")
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue  # the thread ended in between
        group = thread_group(name)
        out[(group, "user")] += int(fields[11]) / CLK_TCK
        out[(group, "kernel")] += int(fields[12]) / CLK_TCK
    return out


def jcmd(pid, *command):
    done = subprocess.run(["jcmd", str(pid), *command], capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or "Could not" in done.stdout or "Exception" in done.stdout:
        raise RuntimeError(f"jcmd {' '.join(command)}: {(done.stdout + done.stderr).strip()[-300:]}")
    return done.stdout


SETTINGS = Path(__file__).resolve().parent / "cpu-samples.jfc"


def start_recording(pid, path):
    """A JFR recording of CPU samples (each running Java thread every 10 ms) and GCs only: bench/cpu-samples.jfc."""
    jcmd(pid, "JFR.start", "name=bench-profile", f"settings={SETTINGS}", f"filename={path}")


def stop_recording(pid):
    jcmd(pid, "JFR.stop", "name=bench-profile")


def layer_of(frames):
    for frame in frames:
        if frame.startswith(JDK_PREFIXES):
            continue
        for prefix, layer in LAYERS:
            if frame.startswith(prefix):
                return layer
        return "other: " + ".".join(frame.split(".")[:2])
    return JDK_ONLY


def analyse(path, top=12):
    """The recording's CPU samples: counts per thread group; for the event loops, per layer and per innermost
    frame of the gateway's own code (inclusive); and its garbage collections."""
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128", str(path)],
                          capture_output=True, text=True, check=True, timeout=300).stdout
    by_thread, layers, own = Counter(), Counter(), Counter()
    for event in text.split("jdk.ExecutionSample {")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', event)
        frames = re.findall(r"^\s+([\w$.<>/]+)\(", event, re.M)
        if not thread or not frames:
            continue
        group = thread_group(thread.group(1)[:15])
        by_thread[group] += 1
        if group != "event loops":
            continue
        layers[layer_of(frames)] += 1
        innermost = next((f for f in frames if f.startswith("com.guestops.")), None)
        if innermost:
            own[innermost] += 1
    gc = subprocess.run(["jfr", "print", "--events", "jdk.GarbageCollection", str(path)],
                        capture_output=True, text=True, check=True, timeout=300).stdout
    pauses = [p for p in (_millis(m) for m in re.findall(r"sumOfPauses = ([\d.]+ \w+)", gc)) if p is not None]
    return {"samples_by_thread": dict(by_thread), "event_loop_samples": sum(layers.values()),
            "layers": dict(layers), "own_frames": dict(own.most_common(top)),
            "gc_count": len(pauses), "gc_pause_ms": sum(pauses), "gc_pause_max_ms": max(pauses, default=0.0)}


def _millis(text):
    """'11.5 ms' as 11.5; None for a unit `jfr print` is not known to use."""
    value, unit = text.split()
    factor = {"ns": 1e-6, "us": 1e-3, "\u00b5s": 1e-3, "ms": 1.0, "s": 1000.0, "min": 60000.0}.get(unit)
    return None if factor is None else float(value) * factor


def profile_leg(pid, seconds, jfr_path, run_load, settle_max=150):
    """Records `seconds` of `run_load(seconds)` (a dict with 'requests' and 'rps') on a warm JVM.

    The first recording on a running JVM makes it throw its compiled code away (JFR's start turns on JVM TI
    capabilities; measured: a warm gateway fell to a fifth of its throughput and compiled for one to two minutes):
    so a first recording runs under load, unsaved, in 5 s slices until the JIT compiler threads are quiet again
    (under 1 % of the slice's CPU time in two slices in a row; at most `settle_max` s), and the profile is a second
    one. Thread CPU is read from /proc around the measured load only."""
    jcmd(pid, "JFR.start", "name=bench-settle", f"settings={SETTINGS}")
    slices, quiet = [], 0
    try:
        for _ in range(max(2, settle_max // 5)):
            before = thread_cpu(pid)
            slices.append(run_load(5)["rps"])
            after = thread_cpu(pid)
            spent = {key: after[key] - before.get(key, 0.0) for key in after}
            jit = sum(v for (group, _), v in spent.items() if group == "JIT compiler")
            quiet = quiet + 1 if jit < 0.01 * max(sum(spent.values()), 0.01) else 0
            if quiet >= 2:
                break
    finally:
        jcmd(pid, "JFR.stop", "name=bench-settle")
    start_recording(pid, jfr_path)
    try:
        before = thread_cpu(pid)
        load = run_load(seconds)
        after = thread_cpu(pid)
    finally:
        stop_recording(pid)
    cpu = {f"{group}|{kind}": round(after[(group, kind)] - before.get((group, kind), 0.0), 3)
           for group, kind in after}
    return {"requests": load["requests"], "rps": load["rps"], "seconds": seconds, "settle_rps": slices,
            "settled": quiet >= 2, "thread_cpu_s": cpu, **analyse(jfr_path)}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench  # noqa: E402
    pid, port, secs, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rec = profile_leg(pid, secs, out, lambda s: bench.run_wrk(port, 64, s))
    import json
    print(json.dumps(rec, indent=2))
