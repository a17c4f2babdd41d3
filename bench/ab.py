#!/usr/bin/env python3
"""Two or more builds of the gateway side by side: leg c (a vapi host on the canned nginx backend), each started
with the chart's JVM options and its own class archive, warmed as bench.py warms every leg (wrk until its JIT
compiler is quiet: 15-120 s) and measured for DURATION s of wrk at 64 connections, round after round in alternating order. Prints, per build, the medians of throughput, CPU seconds per
10,000 requests (/proc), start to first 2xx, RSS, and memory allocated per request (jstat: the collections' eden
turnover). On a noisy host throughput and CPU move by 10-15 % from one run to the next; allocation per request
does not, so a change that allocates less shows at once, one that only saves CPU needs several rounds.

  python3 bench/ab.py ROUNDS DURATION NAME=PATH/quarkus-run.jar[|EXTRA JVM OPTIONS] ... [NAME=floor]

  e.g. cp -r target/quarkus-app /tmp/before   (build the change)   then
       python3 bench/ab.py 4 20 before=/tmp/before/quarkus-run.jar after=target/quarkus-app/quarkus-run.jar

NAME=floor measures the Quarkus floor (leg q of bench.py, bench/loadgen/quarkus-floor, built by bench/run.sh) in the
same rotation, and the medians then show each build's throughput and CPU as multiples of the floor's.
AB_MARKDOWN=FILE appends the medians to FILE as a Markdown table (bench/ceiling.sh uses it).
"""
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

BACKEND_PORT = 18080
WARMUP_MIN_S, WARMUP_LIMIT_S = 15, 120  # bench.py's defaults (--jit-warmup-min, --jit-warmup)


def eden(pid):
    """(eden capacity in bytes, young collections so far, eden used in bytes), from jstat."""
    lines = subprocess.run(["jstat", "-gc", str(pid)], capture_output=True, text=True, timeout=30).stdout.splitlines()
    values = dict(zip(lines[0].split(), lines[1].split()))
    return float(values["EC"]) * 1024, int(values["YGC"]), float(values["EU"]) * 1024


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, duration = int(sys.argv[1]), int(sys.argv[2])
    builds = []
    extras = {}
    for arg in sys.argv[3:]:
        name, _, rest = arg.partition("=")
        if rest == "floor":
            if not bench.FLOOR_JAR.exists():
                sys.exit(f"{name}: {bench.FLOOR_JAR} is not built (bench/run.sh builds it)")
            differs = bench.floor_differs()
            if differs:
                sys.exit(f"{name}: {differs}")
    for arg in sys.argv[3:]:
        name, _, rest = arg.partition("=")
        if rest == "floor":
            builds.append((name, None, bench.chart_jvm_opts()[0]))
            continue
        jar, _, extra = rest.partition("|")
        jar = Path(jar).resolve()
        options = bench.chart_jvm_opts(app_jar=jar)[0]
        bench.train_class_archive(options, app_jar=jar)  # before the backend takes its port
        builds.append((name, jar, options + extra.split()))
        extras[name] = extra.strip()
    work = tempfile.mkdtemp(prefix="ab-")
    backend = bench.Nginx("backend", "backend.conf", BACKEND_PORT, work + "/backend")
    backend.start()
    results = {name: [] for name, _, _ in builds}
    warmups = {name: [] for name, _, _ in builds}
    try:
        for r in range(rounds):
            order = list(enumerate(builds)) if r % 2 == 0 else list(reversed(list(enumerate(builds))))
            for i, (name, jar, options) in order:
                if jar is None:
                    gateway = bench.QuarkusFloor(name, 18100 + 2 * i, f"{work}/{name}-{r}", backend_port=BACKEND_PORT,
                                                 jvm_opts=options)
                else:
                    gateway = bench.Gateway(name, 18100 + 2 * i, f"{work}/{name}-{r}", jvm_opts=options, app_jar=jar,
                                            backend_port=BACKEND_PORT)
                took, _ = gateway.start("ab")
                if took is None:
                    sys.exit(f"{name}: {gateway.failure()}")
                pids = gateway.pids()
                # as bench.py warms every leg: until the JIT compiler is quiet (a fixed 30 s left the gateway's
                # builds, which compile for longer, further from done than the floor)
                warm = bench.warm_jit(pids[0], gateway.port, 64, WARMUP_LIMIT_S, WARMUP_MIN_S)
                warmups[name].append(warm[2])
                cpu0, eden0 = bench.cpu_seconds(pids), eden(pids[0])
                rss = bench.RssSampler(gateway.pids)
                rss.start()
                run = bench.run_wrk(gateway.port, 64, duration)
                peak = rss.finish()
                cpu1, eden1 = bench.cpu_seconds(pids), eden(pids[0])
                n = run["requests"]
                allocated = (eden1[1] - eden0[1]) * eden1[0] + eden1[2] - eden0[2]
                results[name].append((n / duration, (cpu1 - cpu0) / n * 1e4, took, peak, allocated / n / 1024))
                print(f"round {r} {name}: %.0f req/s, %.3f CPU s/10k, start %.2f s, RSS %.0f MiB, %.1f KiB/request"
                      % results[name][-1] + f" (warmed {warm[2]} s" + ("" if warm[3] else ", not stable") + ")",
                      flush=True)
                gateway.stop()
    finally:
        backend.stop()
    print(f"medians of {rounds} rounds:")
    medians = {name: [statistics.median(run[k] for run in runs) for k in range(5)] for name, runs in results.items()}
    floor = next((medians[name] for name, jar, _ in builds if jar is None), None)
    for name, med in medians.items():
        versus = f" = %.2fx the floor's throughput, %.2fx its CPU" % (med[0] / floor[0], med[1] / floor[1]) if floor else ""
        print(f"  {name}: %.0f req/s, %.3f CPU s/10k, start %.2f s, RSS %.0f MiB, %.1f KiB/request" % tuple(med) + versus)
    if os.environ.get("AB_MARKDOWN"):
        write_markdown(Path(os.environ["AB_MARKDOWN"]), builds, extras, results, medians, floor, warmups)


def write_markdown(path, builds, extras, results, medians, floor, warmups):
    """The medians as a Markdown table (appended to path), with each round's throughput and warm-up beside them."""
    lines = ["| build | options beside the chart's | req/s (median) | each round | warm-up s | CPU s/10k | KiB/request"
             + (" | x floor's req/s | x floor's CPU |" if floor else " |"),
             "|---|---|---|---|---|---|---" + ("|---|---|" if floor else "|")]
    for name, jar, options in builds:
        med = medians[name]
        added = "the Quarkus floor (leg q)" if jar is None else extras.get(name) or "—"
        rounds = ", ".join(f"{run[0]:,.0f}" for run in results[name])
        warmed = ", ".join(str(w) for w in warmups[name])
        row = (f"| {name} | {added if added == '—' or jar is None else '`' + added + '`'} | {med[0]:,.0f} | {rounds} | "
               f"{warmed} | {med[1]:.3f} | {med[4]:.1f}")
        if floor:
            row += f" | {med[0] / floor[0]:.2f}x | {med[1] / floor[1]:.2f}x"
        lines.append(row + " |")
    with path.open("a") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
