#!/usr/bin/env python3
"""Where the gateway's CPU and memory go: the same packaged gateway started several times with one
thing changed by configuration, measured alternately with wrk, plus a JFR profile of the unchanged
one. Nothing here changes the product; it says what each cost is.

  python3 bench/whatif.py --out bench/results/raw/whatif-<time> [--leg c|d] [--rounds 3] [--duration 8]

--leg d (default): the embedded simulator; --leg c: a vapi host on the canned nginx backend (bench/nginx).

Variants (runtime configuration only):
  baseline    as shipped (JSON console log with one audit line per request, metrics, the tracing SDK off:
              quarkus.otel.sdk.disabled=true in application.properties)
  no-audit    quarkus.log.category."com.guestops.gateway.audit".level=OFF
  tracing-on  quarkus.otel.sdk.disabled=false with the shipped sampler ratio (0.0): what switching tracing
              on costs while nothing is sampled (spans, ids and attributes made, none exported)
Writes whatif.jsonl, jfr-top.txt and WHATIF.md.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

VARIANTS = {
    "baseline": [],
    "no-audit": ['-Dquarkus.log.category."com.guestops.gateway.audit".level=OFF'],
    "tracing-on": ["-Dquarkus.otel.sdk.disabled=false"],
    "heap-128m": ["-Xmx128m"],   # a later -Xmx wins over the heap share of the default options
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--jvm-opts", default=None, help="default: the chart's, as bench.py runs its JVM legs")
    ap.add_argument("--base-port", type=int, default=18121)
    ap.add_argument("--leg", choices=["c", "d"], default="d")
    args = ap.parse_args()
    if args.jvm_opts is None:
        args.jvm_opts = " ".join(bench.chart_jvm_opts()[0])
    bench.train_class_archive(args.jvm_opts.split())  # the image's class archive, when the options name it
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / "whatif.jsonl").unlink(missing_ok=True)

    gws = {}
    backend = None
    try:
        backend_port = None
        if args.leg == "c":
            backend_port = args.base_port + len(VARIANTS)
            backend = bench.Nginx("backend", "backend.conf", backend_port, out / "work" / "nginx")
            backend.start()
        for i, (name, props) in enumerate(VARIANTS.items()):
            g = bench.Gateway(f"gw-{name}", args.base_port + i, out / "work" / name, jvm_opts=args.jvm_opts.split(),
                              extra_props=props, backend_port=backend_port)
            took, _ = g.start("load", deadline_s=90)
            if took is None:
                raise SystemExit(f"{name} did not start: {g.failure()}")
            gws[name] = g
        for name, g in gws.items():
            bench.log(f"JIT warm-up of {name}")
            bench.run_wrk(g.port, args.connections, 30)

        for r in range(args.rounds):
            for name in bench.rotate(list(gws), r):
                g = gws[name]
                cpu0 = bench.cpu_seconds(g.pids())
                sampler = bench.RssSampler(g.pids)
                sampler.start()
                res = bench.run_wrk(g.port, args.connections, args.duration)
                rss = sampler.finish()
                cpu = bench.cpu_seconds(g.pids()) - cpu0
                rec = {"variant": name, "round": r, **res, "cpu_s": cpu, "rss_max_mb": rss,
                       "cpu_s_per_10k": cpu / res["requests"] * 10000 if res["requests"] else None,
                       "loadavg1": bench.loadavg()[0]}
                with open(out / "whatif.jsonl", "a") as f:
                    f.write(json.dumps(rec) + "\n")
                bench.log(f"  r{r} {name}: {res['rps']:.0f} req/s, cpu/10k {rec['cpu_s_per_10k']:.3f}s, "
                          f"non-2xx {res['non2xx']}")
        # JFR profile of the baseline under the same load, after the measured rounds
        pid = gws["baseline"].proc.pid
        jfr = out / "baseline.jfr"
        subprocess.run(["jcmd", str(pid), "JFR.start", "name=whatif", "settings=profile", f"filename={jfr}"],
                       capture_output=True, check=True)
        bench.run_wrk(gws["baseline"].port, args.connections, 15)
        subprocess.run(["jcmd", str(pid), "JFR.stop", "name=whatif"], capture_output=True, check=True)
        top = subprocess.run([sys.executable, str(bench.BENCH / "jfr_top.py"), str(jfr), "25"],
                             capture_output=True, text=True).stdout
        (out / "jfr-top.txt").write_text(top)
    finally:
        for g in gws.values():
            g.stop()
        if backend:
            backend.stop()

    rows = [json.loads(x) for x in (out / "whatif.jsonl").read_text().splitlines()]
    base_rps = statistics.median(x["rps"] for x in rows if x["variant"] == "baseline")
    base_cpu = statistics.median(x["cpu_s_per_10k"] for x in rows if x["variant"] == "baseline")
    leg = "leg c, vapi host on the canned nginx backend" if args.leg == "c" else "leg d, embedded simulator"
    lines = [f"# What costs what in the gateway ({leg})", "",
             f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, wrk {args.connections} connections, "
             f"{args.duration} s per run, {args.rounds} rounds alternating; medians. Same jar, runtime "
             f"configuration only. Shared machine: 1-minute load average "
             f"{statistics.median(x['loadavg1'] for x in rows):.1f} on 2 cores.", "",
             f"JVM options of every variant: `{args.jvm_opts}` (heap-128m: `-Xmx128m` instead).", "",
             "| variant | req/s | × baseline | CPU s / 10k requests | × baseline | RSS MB (largest in a run) |",
             "|---|---|---|---|---|---|"]
    for name in VARIANTS:
        rps = statistics.median(x["rps"] for x in rows if x["variant"] == name)
        cpu = statistics.median(x["cpu_s_per_10k"] for x in rows if x["variant"] == name)
        rss = statistics.median(x["rss_max_mb"] for x in rows if x["variant"] == name)
        lines.append(f"| {name} | {rps:,.0f} | {rps / base_rps:.2f}× | {cpu:.3f} | {cpu / base_cpu:.2f}× | {rss:.0f} |")
    lines += ["", "JFR (baseline, 15 s under the same load), top methods:", "", "```", top.strip()[:6000], "```", ""]
    (out / "WHATIF.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
