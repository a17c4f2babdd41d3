#!/usr/bin/env python3
"""Turns the raw results of bench/bench.py (one directory) into SUMMARY.md.

  python3 bench/report.py bench/results/raw/<run> [--machine machine.txt]

Every figure is the median over the rounds; ratios are to leg b (nginx proxy) and leg a (backend).
"""
import json
import statistics
import sys
from pathlib import Path

LEG_NAMES = {
    "a": "a · backend (nginx, canned answers), direct",
    "b": "b · nginx proxy_pass → backend",
    "c": "c · gateway, vapi host → backend",
    "d": "d · gateway, embedded simulator",
}


def jsonl(path):
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0, unit=""):
    if v is None:
        return "—"
    return f"{v:,.{digits}f}{unit}"


def ratio(v, ref, digits=2):
    if v is None or not ref:
        return "—"
    return f"{v / ref:.{digits}f}×"


def main():
    out = Path(sys.argv[1])
    machine = ""
    if "--machine" in sys.argv:
        machine = Path(sys.argv[sys.argv.index("--machine") + 1]).read_text().strip()
    meta = json.loads((out / "meta.json").read_text())
    thr = jsonl(out / "throughput.jsonl")
    lat = jsonl(out / "latency.jsonl")
    cold = jsonl(out / "coldstart.jsonl")
    failed = jsonl(out / "failed.jsonl")
    unavailable = meta.get("unavailable", {})
    args = meta["args"]
    legs = [leg for leg in args["legs"].split(",")]
    conns = sorted({r["connections"] for r in thr})
    rounds = args["rounds"]

    lines = []
    w = lines.append
    w("# Benchmark: guestops-gateway against nginx on the same backend")
    w("")
    w(f"Run {meta['started']} → {meta['finished']} (UTC), {rounds} rounds; every figure is the **median of "
      f"{rounds} runs**, legs measured alternately (the order rotates each round). Raw data: the `.jsonl` files "
      f"next to this summary's source (`bench/results/raw/<run>/`). Produced by `bench/run.sh`.")
    w("")
    if machine:
        w("**Machine**: " + machine)
        w("")
    la0, la1 = meta.get("loadavg_start"), meta.get("loadavg_end")
    run_la = [r.get("loadavg1") for r in thr + lat if r.get("loadavg1") is not None]
    w(f"**The machine was shared**: other engineers' builds ran at the same time (1-minute load average "
      f"{la0[0]:.1f} at the start, {la1[0]:.1f} at the end, median {med(run_la) or 0:.1f} at the start of the "
      f"load runs, on 2 cores). The load generator (wrk, Hyperfoil) runs on the same 2 cores as the servers. "
      f"Absolute numbers are therefore noisy and low; the ratios between legs measured side by side are the "
      f"meaningful part.")
    w("")
    w("Legs:")
    for leg in legs:
        note = f" — **not measured**: {unavailable[leg]}" if leg in unavailable else ""
        w(f"- {LEG_NAMES[leg]}{note}")
    w("")

    def thr_med(leg, c, key):
        return med([r[key] for r in thr if r["leg"] == leg and r["connections"] == c])

    FLOOR_P99_MS = 50.0

    def lat_med(leg, rate, key):
        return med([r[key] for r in lat if r["leg"] == leg and r["rate"] == rate])

    def rate_valid(rate):
        """The load generator held this rate: the backend called directly (leg a) answered it with p99 <= 50 ms."""
        p99a = lat_med("a", rate, "p99_ms")
        return p99a is not None and p99a <= FLOOR_P99_MS

    # ---- targets -----------------------------------------------------------------------------------
    gw = "c" if "c" in legs and "c" not in unavailable else "d"
    gw_note = "" if gw == "c" else " (leg c not measured: leg d, the simulator, stands in)"
    rates = meta.get("rates", {})
    half = rates.get("0.5")
    w(f"## Targets (issue 9){gw_note}")
    w("")
    w("| target | measured | met? |")
    w("|---|---|---|")
    if conns:
        cmax = max(conns)
        v, ref = thr_med(gw, cmax, "rps"), thr_med("b", cmax, "rps")
        ok = v is not None and ref and v / ref >= 0.8
        w(f"| throughput ≥ 0.8× nginx (wrk, {cmax} connections) | {fmt(v)} req/s = {ratio(v, ref)} nginx's "
          f"{fmt(ref)} | {'yes' if ok else 'no'} |")
    if half:
        p99, ref = lat_med(gw, half, "p99_ms"), lat_med("b", half, "p99_ms")
        if rate_valid(half):
            ok = p99 is not None and ref and p99 <= 2 * ref
            w(f"| p99 at half nginx's max rate ({half:,}/s) ≤ 2× nginx's p99 | {fmt(p99, 2)} ms = {ratio(p99, ref)} "
              f"nginx's {fmt(ref, 2)} ms | {'yes' if ok else 'no'} |")
        else:
            w(f"| p99 at half nginx's max rate ({half:,}/s) ≤ 2× nginx's p99 | not measurable here: the load generator "
              f"could not hold {half:,}/s even against the backend alone (its p99 {fmt(lat_med('a', half, 'p99_ms'), 0)} ms)"
              f"; measured {fmt(p99, 0)} ms vs nginx {fmt(ref, 0)} ms, both generator-bound | — |")
        for rate in sorted(r for r in rates.values() if rate_valid(r) and r != half):
            p99, ref = lat_med(gw, rate, "p99_ms"), lat_med("b", rate, "p99_ms")
            achieved = lat_med(gw, rate, "achieved_rps")
            ok = p99 is not None and ref and p99 <= 2 * ref
            sat = (f" (saturated: it achieved {fmt(achieved)}/s)" if achieved is not None and achieved < 0.97 * rate
                   else "")
            w(f"| the same comparison at {rate:,}/s, a rate the generator held | {fmt(p99, 2)} ms = {ratio(p99, ref)} "
              f"nginx's {fmt(ref, 2)} ms{sat} | {'yes' if ok else 'no'} |")
    if conns:
        rss = thr_med(gw, max(conns), "rss_max_mb")
        w(f"| RSS under load ≤ 300 MB | {fmt(rss)} MB (largest RSS during the {max(conns)}-connection wrk runs) | "
          f"{'yes' if rss is not None and rss <= 300 else 'no'} |")
    cs = med([r["seconds"] for r in cold if r["leg"] == gw])
    w(f"| start to first successful request ≤ 3 s | {fmt(cs, 2)} s | {'yes' if cs is not None and cs <= 3 else 'no'} |")
    w("")

    # ---- throughput ---------------------------------------------------------------------------------
    w(f"## Throughput (wrk 4.1, 2 threads, {args['duration']} s per run, POST with the JSON body)")
    w("")
    head = "| leg |" + "".join(f" {c} conn req/s | ×b | ×a |" for c in conns) + " non-2xx / socket errors |"
    w(head)
    w("|---|" + "---|---|---|" * len(conns) + "---|")
    for leg in legs:
        if not any(r["leg"] == leg for r in thr):
            continue
        row = f"| {leg} |"
        for c in conns:
            v = thr_med(leg, c, "rps")
            row += f" {fmt(v)} | {ratio(v, thr_med('b', c, 'rps'))} | {ratio(v, thr_med('a', c, 'rps'))} |"
        errs = sum(r["non2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
                   for r in thr if r["leg"] == leg)
        w(row + f" {errs} |")
    w("")
    w("wrk's own latency under saturation (closed loop, so coordinated omission applies; for reference only), "
      "median p99 in ms: " + "; ".join(
          f"{leg}: " + ", ".join(f"{fmt(thr_med(leg, c, 'p99_ms'), 1)} @{c}" for c in conns)
          for leg in legs if any(r["leg"] == leg for r in thr)) + ".")
    w("")

    # ---- latency ------------------------------------------------------------------------------------
    if lat:
        w(f"## Latency at fixed request rates (Hyperfoil 0.25.2 open model, {args['lat_duration']} s measured after "
          f"{args['lat_warmup']} s warm-up, {args['lat_connections']} connections)")
        w("")
        w(f"nginx's max rate = {fmt(meta.get('nginx_max_rps'))} req/s (leg b, best median over the connection counts); "
          f"the rates are {', '.join(f'{float(k):.0%} of it ({v:,}/s)' for k, v in rates.items())}.")
        w("")
        for frac, rate in rates.items():
            note = "" if rate_valid(rate) else (
                " — **generator-bound**: even the backend alone (leg a) had p99 > 50 ms at this rate, so the load "
                "generator (sharing the 2 cores) could not hold it; these rows do not measure the servers")
            w(f"**{rate:,} req/s** ({float(frac):.0%} of nginx's max){note}")
            w("")
            w("| leg | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p99 ×b | p99 ×a | achieved req/s | 2xx / sent | blocked |")
            w("|---|---|---|---|---|---|---|---|---|---|---|")
            ref_b = med([r["p99_ms"] for r in lat if r["leg"] == "b" and r["rate"] == rate])
            ref_a = med([r["p99_ms"] for r in lat if r["leg"] == "a" and r["rate"] == rate])
            for leg in legs:
                rs = [r for r in lat if r["leg"] == leg and r["rate"] == rate]
                if not rs:
                    continue
                m = {k: med([r[k] for r in rs]) for k in ("p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms")}
                ok = sum(r["status_2xx"] for r in rs)
                sent = sum(r["requests"] for r in rs)
                blocked = sum(1 for r in rs if r["blocked_ms"] > 0)
                w(f"| {leg} | {fmt(m['p50_ms'], 2)} | {fmt(m['p90_ms'], 2)} | {fmt(m['p99_ms'], 2)} | "
                  f"{fmt(m['p99_9_ms'], 2)} | {fmt(m['max_ms'], 1)} | {ratio(m['p99_ms'], ref_b)} | "
                  f"{ratio(m['p99_ms'], ref_a)} | {fmt(med([r['achieved_rps'] for r in rs]))} | {ok:,} / {sent:,} | "
                  f"{blocked}/{len(rs)} runs |")
            w("")
        if failed:
            w("Load-driver runs that failed (not counted above): " + "; ".join(
                f"leg {f['leg']} at {f['rate']:,}/s round {f['round']}" for f in failed) + ".")
            w("")
        w("*blocked*: runs in which some request waited for a free connection (Hyperfoil's blocked time > 0). "
          "Hyperfoil times a request from the moment it is written; in a run with blocked time the wait for a "
          "connection is not in the percentiles, so those percentiles are optimistic (coordinated omission "
          "creeps back in). A run with 0 blocked time measured every request from its scheduled start.")
        w("")

    # ---- resources -----------------------------------------------------------------------------------
    if thr:
        w("## Resources under load (from /proc during the wrk runs)")
        w("")
        w("CPU seconds (user + system) per 10 000 requests of the leg's own processes — a: the backend's nginx "
          "processes; b: the proxy's nginx processes (the backend's share not included); c, d: the gateway JVM "
          "(c: the backend's share not included). RSS: largest resident set of the same processes during a run.")
        w("")
        w("| leg |" + "".join(f" CPU s/10k @{c} | ×b | ×a |" for c in conns) + f" RSS MB @{max(conns)} |")
        w("|---|" + "---|---|---|" * len(conns) + "---|")
        for leg in legs:
            if not any(r["leg"] == leg for r in thr):
                continue
            row = f"| {leg} |"
            for c in conns:
                v = thr_med(leg, c, "own_cpu_s_per_10k")
                row += (f" {fmt(v, 3)} | {ratio(v, thr_med('b', c, 'own_cpu_s_per_10k'), 1)} | "
                        f"{ratio(v, thr_med('a', c, 'own_cpu_s_per_10k'), 1)} |")
            w(row + f" {fmt(thr_med(leg, max(conns), 'rss_max_mb'))} |")
        for leg in ("c", "d"):
            if meta.get(f"vmhwm_mb_{leg}"):
                w("")
                w(f"Leg {leg}: peak RSS over its whole life (VmHWM, JIT warm-up and every run included): "
                  f"{meta[f'vmhwm_mb_{leg}']:.0f} MB. JVM options: `{args['jvm_opts']}`.")
        w("")

    # ---- cold start ----------------------------------------------------------------------------------
    if cold:
        w("## Cold start to the first successful request")
        w("")
        w("From launching the process to the first 2xx answer to the terminate call (polled every 5 ms). For the "
          "gateway that includes the JVM start; leg c's first request also logs in to the backend.")
        w("")
        w("| leg | median | runs | Quarkus \"started in\" (median) |")
        w("|---|---|---|---|")
        for leg in legs:
            rs = [r for r in cold if r["leg"] == leg]
            if not rs:
                continue
            qs = med([r.get("quarkus_started_in") for r in rs])
            runs = ", ".join("%.3f" % r["seconds"] for r in rs)
            w(f"| {leg} | {fmt(med([r['seconds'] for r in rs]), 3)} s | {runs} | {fmt(qs, 3, ' s') if qs else '—'} |")
        w("")

    text = "\n".join(lines) + "\n"
    (out / "SUMMARY.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
