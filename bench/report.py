#!/usr/bin/env python3
"""Turns the raw results of bench/bench.py (one directory) into SUMMARY.md, against issue 16's targets.

  python3 bench/report.py bench/results/raw/<run> [--machine machine.txt]

Every figure is the median over the rounds; ratios are to leg b (nginx proxy), leg a (backend) and, for
the gateway legs, leg v (the minimal Vert.x proxy: the JVM's floor for one forwarding hop) and leg q (the same
forwarding on the gateway's Quarkus stack).
"""
import json
import statistics
import sys
from pathlib import Path

LEG_NAMES = {
    "a": "a · backend (nginx, canned answers), direct",
    "b": "b · nginx proxy_pass → backend",
    "v": "v · minimal Vert.x proxy → backend (the JVM's floor for one forwarding hop)",
    "q": "q · Quarkus floor → backend (v's forwarding as the one route of a Quarkus application with the gateway's "
         "extensions and settings: the floor of the stack the gateway is built on)",
    "x": "x · the ceiling: leg c's gateway built with `bench/ceiling/layers.patch` and started with every layer of "
         "its own work switched off (`-Dceiling=guard,service,record,track,edge,parse`; what each takes out: "
         "`bench/ceiling.sh`): a measurement build, never a product, measured under wrk only (the throughput rounds and "
         "the profile: no cold start, no fixed-rate latency)",
    "c": "c · gateway, vapi host → backend",
    "e": "e · gateway, vapi host → backend, caller authentication on (bearer JWT on every request)",
    "d": "d · gateway, embedded simulator",
}
MIB_IN_MB = 1.048576  # 2**20 / 10**6
LEG_SHORT = {"c": "c · gateway → vapi", "e": "e · c with auth on", "d": "d · gateway, simulator"}


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


THREAD_ROWS = ("event loops", "worker threads", "GC and safepoints", "JIT compiler", "the recording itself",
               "other threads")


def profile_section(w, profiles, avail):
    """Where each JVM leg's CPU goes, from bench/cpu_split.py's records: per thread group from /proc, the event
    loops' user time split by layer in proportion to their JFR samples, and the gateway's own frames."""
    prof = {p["leg"]: p for p in profiles if p["leg"] in avail and p.get("requests")}
    if not prof:
        return
    legs = [leg for leg in ("v", "q", "x", "c", "e", "d") if leg in prof]
    # the columns of differences: c above v, split at q when q was profiled (q − v: the Quarkus stack; c − q: the
    # gateway's own work on it), and that split at x when x was (x − q: what every call needs; c − x: the layers)
    if "q" in prof and "x" in prof:
        pairs = (("q", "v"), ("x", "q"), ("c", "x"))
    elif "q" in prof:
        pairs = (("q", "v"), ("c", "q"))
    else:
        pairs = (("c", "v"),)
    pairs = [pair for pair in pairs if pair[0] in prof and pair[1] in prof]

    def per10k(leg, group, kind=None):
        cpu = prof[leg]["thread_cpu_s"]
        kinds = (kind,) if kind else ("user", "kernel")
        return sum(cpu.get(f"{group}|{k}", 0.0) for k in kinds) / prof[leg]["requests"] * 10000

    def loop_layer(leg, layer):
        """The event loops' user time spent in a layer, in proportion to the layer's share of their samples."""
        samples = prof[leg]["event_loop_samples"]
        return per10k(leg, "event loops", "user") * prof[leg]["layers"].get(layer, 0) / samples if samples else 0.0


    def diff_head():
        return "".join(f" {x} − {y} |" for x, y in pairs)

    def diff_cells(value):
        return "".join(f" {value(x) - value(y):+.3f} |" for x, y in pairs)

    def diff_blank():
        return " |" * len(pairs)
    seconds = prof[legs[0]]["seconds"]
    w("## Where the CPU goes (profile after the measured runs)")
    w("")
    w(f"Each JVM leg, still running, takes {seconds} s more of wrk at 64 connections under a JFR recording of CPU "
      "samples (each running Java thread every 10 ms) and garbage collections only (`bench/cpu-samples.jfc`). "
      "Starting JFR on a running JVM throws its compiled code away, so a first, unsaved recording runs under the "
      "same load until the JIT compiler is quiet again (" + "; ".join(
          f"{leg} {5 * len(prof[leg].get('settle_rps', []))} s"
          + ("" if prof[leg].get("settled", True) else ", **still compiling** at the limit") for leg in legs)
      + "). The CPU "
      "per thread comes from /proc around those seconds (user and kernel time apart; kernel time is mostly socket "
      "I/O and, for the gateway, the audit line's write to stdout); the recording's own threads are counted apart. "
      "These runs are not part of the figures above. Produced by `bench/cpu_split.py`.")
    w("")
    w("**CPU s per 10,000 requests, by thread** (user + kernel; kernel in brackets):")
    w("")
    head = " | ".join(f"{leg} ({fmt(prof[leg]['rps'])} req/s)" for leg in legs)
    w(f"| threads | {head} |" + diff_head())
    w("|---|" + "---|" * (len(legs) + len(pairs)))
    for group in THREAD_ROWS:
        if not any(per10k(leg, group) >= 0.0005 for leg in legs):
            continue
        cells = " | ".join(f"{per10k(leg, group):.3f} ({per10k(leg, group, 'kernel'):.3f})" for leg in legs)
        w(f"| {group} | {cells} |" + diff_cells(lambda leg, group=group: per10k(leg, group)))
    totals = {leg: sum(per10k(leg, g) for g in THREAD_ROWS if g != "the recording itself") for leg in legs}
    w(f"| **total without the recording** | " + " | ".join(f"**{totals[leg]:.3f}**" for leg in legs) + " |"
      + "".join(f" **{totals[x] - totals[y]:+.3f}** |" for x, y in pairs))
    gcs = " | ".join(f"{prof[leg]['gc_count'] / prof[leg]['requests'] * 10000:.1f} "
                     f"({prof[leg]['gc_pause_ms']:.0f} ms of pauses, longest {prof[leg]['gc_pause_max_ms']:.1f} ms)"
                     for leg in legs)
    w(f"| garbage collections per 10k requests | {gcs} |" + diff_blank())
    w("")
    layers = sorted({layer for leg in legs for layer in prof[leg]["layers"]},
                    key=lambda layer: (-max(loop_layer(leg, layer) for leg in legs), layer))  # ties by name: stable
    w("**The event loops' user time by layer** (CPU s per 10,000 requests, in proportion to the layer's share of "
      "the event loops' samples; a sample belongs to the first frame from its top that is not the JDK's, so a "
      "`HashMap.get` called by Vert.x is Vert.x's):")
    w("")
    w("| layer | " + " | ".join(legs) + " |" + diff_head())
    w("|---|" + "---|" * (len(legs) + len(pairs)))
    for layer in layers:
        cells = []
        for leg in legs:
            n, total = prof[leg]["layers"].get(layer, 0), prof[leg]["event_loop_samples"]
            cells.append(f"{loop_layer(leg, layer):.3f} ({100.0 * n / total:.0f} %)" if n else "—")
        w(f"| {layer} | " + " | ".join(cells) + " |"
          + diff_cells(lambda leg, layer=layer: loop_layer(leg, layer)))
    w("| samples | " + " | ".join(fmt(prof[leg]["event_loop_samples"]) for leg in legs) + " |" + diff_blank())
    w("")
    if "c" in prof and prof["c"]["own_frames"]:
        total = prof["c"]["event_loop_samples"]
        ceiling = prof.get("x")
        w("**Leg c: the gateway's own code**, by the innermost gateway frame of each event-loop sample (whatever "
          "library or JDK code it called; share of all event-loop samples)"
          + (", and the same frames in leg x (— : not among x's most frequent)" if ceiling else "") + ":")
        w("")
        w("| frame | share |" + (" share in x |" if ceiling else ""))
        w("|---|---|" + ("---|" if ceiling else ""))
        for frame, n in prof["c"]["own_frames"].items():
            in_x = ""
            if ceiling:
                nx = ceiling["own_frames"].get(frame)
                in_x = f" {100.0 * nx / ceiling['event_loop_samples']:.1f} % |" if nx else " — |"
            w(f"| `{frame}` | {100.0 * n / total:.1f} % |" + in_x)
        w("")
    what = {("c", "v"): "Leg c spends {d} CPU s per 10,000 requests above the JVM's floor (v)",
            ("q", "v"): "The Quarkus stack alone (q, forwarding only) spends {d} CPU s per 10,000 requests above the "
                        "JVM's floor (v)",
            ("c", "q"): "The gateway's own work on the Quarkus stack (c over q) spends {d} CPU s per 10,000 requests",
            ("x", "q"): "What every call needs on the Quarkus stack (x over q: reading it, routing it to its host, the "
                        "host's session and exchange, the answer) spends {d} CPU s per 10,000 requests",
            ("c", "x"): "The layers of the gateway's own work that leg x switches off (c over x: the guard, the "
                        "deadline and the host's protections, metrics and the audit line, the shutdown tracking, the "
                        "connection guard, the validation) spend {d} CPU s per 10,000 requests"}
    for x, y in pairs:
        ranked = sorted(((loop_layer(x, layer) - loop_layer(y, layer), layer) for layer in layers), reverse=True)
        parts = [f"{layer} {d:+.3f} s" for d, layer in ranked[:6] if d > 0]
        kernel = per10k(x, "event loops", "kernel") - per10k(y, "event loops", "kernel")
        others = sum(per10k(x, g) - per10k(y, g) for g in THREAD_ROWS if g not in ("event loops", "the recording itself"))
        w(what[(x, y)].format(d=f"{totals[x] - totals[y]:+.3f}") + " in this profile: of the event loops' user time, "
          f"{'; '.join(parts) or 'nothing'}; their kernel time {kernel:+.3f} s; the other threads (GC, JIT, workers) "
          f"{others:+.3f} s.")
        w("")


def gc_text(gc, lead=""):
    """A run's collections in its measured seconds (bench.gc_pauses), in words; empty for runs without them (the
    nginx legs, and runs recorded before the bench logged collections)."""
    if not gc:
        return ""
    text = f"{gc['young']} young collections (longest {fmt(gc['young_max_ms'], 1)} ms)"
    if gc["full"]:
        text += f", {gc['full']} full ({fmt(gc['full_max_ms'], 1)} ms)"
    return lead + text


def gc_cell(runs):
    """The collections over a leg's runs at one rate: the longest young pause; the full collections and their longest."""
    gcs = [r["gc"] for r in runs if r.get("gc")]
    if not gcs:
        return "—"
    full = sum(g["full"] for g in gcs)
    return (f"{fmt(max(g['young_max_ms'] for g in gcs), 1)}; " + (
        f"{full} full ({fmt(max(g['full_max_ms'] for g in gcs), 1)})" if full else "no full"))


def blocked_section(w, runs, rate):
    """The runs at the low fixed rate in which the generator was blocked, and what a leg would have had to do to cause it.

    Hyperfoil gives each of its threads an equal part of the connections; its sessions come from one shared queue,
    so each thread sends about an equal part of the requests. A connection is held from the request's write to the
    answer's read, so for a leg to hold all of one thread's connections, that thread must have sent as many requests
    within the leg's longest answer. The share of that span's requests this takes is printed per run: about half
    could be the leg alone; far above half takes a thread that sent what it owed in a burst after falling behind its
    own schedule.
    """
    blocked = [r for r in runs if r["blocked_ms"] > 0]
    if not blocked:
        return

    def share(r):
        # runs recorded before OpenLoad wrote its thread count ran with 2: bench.run_openload has always passed 2
        per_thread = r.get("connections", 0) / r.get("threads", 2)
        sent_in_longest = rate * r["max_ms"] / 1000
        return per_thread / sent_in_longest if per_thread and sent_in_longest else None

    w(f"**Blocked runs at {rate:,} req/s** (waiting in all; the longest answer; the share of the requests sent "
      "within that answer one generator thread would have had to send for the leg to hold all its connections; "
      "for a JVM leg, its garbage collections in the measured seconds): "
      + "; ".join(f"leg {r['leg']} round {r['round']}: {fmt(r['blocked_ms'], 1)} ms, {fmt(r['max_ms'], 1)} ms, "
                  + (f"{share(r) * 100:.0f} %" if share(r) else "—") + gc_text(r.get("gc"), ", ")
                  for r in sorted(blocked, key=lambda r: (r["leg"], r["round"]))) + ". "
      "Each of the generator's threads has an equal part of the connections and sends about half the requests, and "
      "a connection is held from a request's write to its answer's read: a share near 50 % could be the leg alone; "
      "a share far above it takes a thread that sent the requests it owed in a burst after falling behind its own "
      "schedule (its threads share the machine's cores with the servers). A full collection stops the leg for "
      "its whole pause: one longer than the time the connections carry at this rate blocks the generator whatever "
      "its threads did."
      + shared_stalls(blocked))
    w("")


# the legs that do no gateway work: a stall they share with the gateway's legs is not the gateway's
FLOOR_LEGS = ("a", "b", "v", "q")


def words(items):
    """a; a and b; a, b and c"""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def shared_stalls(blocked):
    """A sentence for each round in which a floor leg and another leg were both blocked (empty if none): the legs of
    a round are measured one after another within a minute or two, so a stall they share is more likely the host's."""
    text = ""
    for rnd in sorted({r["round"] for r in blocked}):
        legs = sorted({r["leg"] for r in blocked if r["round"] == rnd})
        floors = [leg for leg in legs if leg in FLOOR_LEGS]
        if floors and len(legs) > 1:
            text += (f" In round {rnd}, legs {words(legs)} were blocked, {words(floors)} among them, which do "
                     f"none of the gateway's work; the legs of a round run one after another within a minute or two, "
                     f"so this is more likely a stall of the host than of one leg.")
    return text


def cpu_budget_section(w, thr, legs, conns, cpus):
    """The throughput target as CPU per request: what one request costs every process on the shared cores.

    Each wrk run records the leg's own CPU and the backend's (leg a's nginx, called by every hop); what remains of
    the cores' time (cores × the run's seconds) is the load generator's and the time the cores stood idle. On
    cores every process shares, a leg's throughput is that time divided by the sum, so the generator's share, paid
    by every leg alike, brings each leg's ratio to b closer to 1 than its own CPU would. Where the generator had cores
    of its own, a leg's ratio to b would be b's own and backend CPU over the leg's: an estimate that favours the JVM
    legs, as it assumes they would leave the cores no more idle than nginx does.
    """
    def parts(leg):
        rs = [r for r in thr if r["leg"] == leg and r["connections"] == conns]
        rps = med([r["rps"] for r in rs])
        own = med([r["own_cpu_s_per_10k"] for r in rs])
        backend = med([r["cpu_s"].get("a", 0.0) / r["requests"] * 1e4 for r in rs]) if leg != "a" else 0.0
        total = cpus * 1e4 / rps  # the cores' seconds per 10k requests at the median throughput
        return {"rps": rps, "own": own, "backend": backend, "rest": total - own - backend, "total": total}

    shown = [leg for leg in ("b", "v", "q", "x", "c", "e", "d")
             if leg in legs and any(r["leg"] == leg and r["connections"] == conns for r in thr)]
    p = {leg: parts(leg) for leg in shown}
    if "b" not in p or "c" not in p:
        return
    b = p["b"]
    served_b = b["own"] + b["backend"]

    def alone(leg):
        return served_b / (p[leg]["own"] + p[leg]["backend"])

    w(f"**The throughput target as CPU per request.** On these {cpus} cores the load generator, the backend and the "
      f"leg share the CPU, so a leg's throughput is the cores' time divided by what one request costs all of them "
      f"together: the leg's own CPU, the backend's (measured in each run), and the rest ({cpus} cores × the run's "
      f"seconds less those two: the generator, wrk, and the time the cores stood idle). CPU s per 10,000 requests at "
      f"{conns} connections, medians:")
    w("")
    w("| leg | own | backend | generator and idle | all | req/s ×b | own + backend ×b's | ×b, were the generator's share gone |")
    w("|---|---|---|---|---|---|---|---|")
    for leg in shown:
        x = p[leg]
        w(f"| {leg} | {fmt(x['own'], 3)} | {fmt(x['backend'], 3) if leg != 'd' else '— (in the leg)'} | "
          f"{fmt(x['rest'], 3)} | {fmt(x['total'], 3)} | {ratio(x['rps'], b['rps'])} | "
          f"{ratio(x['own'] + x['backend'], served_b, 1)} | {alone(leg):.2f}× |")
    w("")
    c = p["c"]
    need = 2 * b["total"]
    text = (f"0.5× nginx's throughput asks a request of c to cost all processes together at most twice what one of "
            f"b's costs them, {fmt(need, 3)} s per 10,000 requests in this run; c's cost {fmt(c['total'], 3)}")
    if c["total"] > need:
        text += (f": {fmt(c['total'] - need, 3)} too much, {100 * (c['total'] - need) / c['own']:.0f} % of c's own "
                 f"CPU")
    else:
        text += ", within it"
    text += (f". The generator's share, about {fmt(b['rest'], 3)}–{fmt(max(p[l]['rest'] for l in shown), 3)} s, is "
             f"paid by every leg and narrows every ratio. Where the generator had cores of its own (the last column, "
             f"an estimate that favours the JVM legs: it assumes they would leave the cores no more idle than nginx "
             f"does), c would reach {alone('c'):.2f}× nginx")
    floors = [f"{name} {alone(leg):.2f}×" for leg, name in (("q", "the Quarkus floor q"), ("x", "the ceiling x"),
                                                          ("v", "the Vert.x floor v")) if leg in p]
    if floors:
        text += ", " + ", ".join(floors)
    text += "."
    if "q" in p and alone("q") < 0.5:
        text += (" There the stack the gateway is built on, forwarding and doing nothing else, would itself miss "
                 "the target: a machine with the generator on cores of its own would not settle the target in c's "
                 "favour; it asks for less CPU per request than the Quarkus floor spends.")
    w(text)
    w("")


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
    profiles = jsonl(out / "profile.jsonl")
    has_profile = any(p.get("requests") for p in profiles)
    unavailable = meta.get("unavailable", {})
    args = meta["args"]
    legs = [leg for leg in args["legs"].split(",")]
    conns = sorted({r["connections"] for r in thr})
    rounds = args["rounds"]

    lines = []
    w = lines.append
    w("# Benchmark: guestops-gateway against nginx, a minimal Vert.x proxy and a Quarkus floor on the same backend")
    w("")
    how = (f"{rounds} rounds; every figure is the **median of {rounds} runs**, legs measured alternately (the order "
           f"rotates each round)" if rounds > 1 else
           "1 round; every figure is from **one run** (a quick look, not a measurement), legs measured alternately")
    w(f"Run {meta['started']} → {meta['finished']} (UTC), {how}. Raw data: the `.jsonl` files "
      f"next to this summary's source (`bench/results/raw/<run>/`). Produced by `bench/run.sh`.")
    w("")
    if machine:
        w("**Machine**: " + machine)
        w("")
    # runs recorded before meta held the count ran on this 2-core machine
    cpus = meta.get("cpus") or 2
    la0, la1 = meta.get("loadavg_start"), meta.get("loadavg_end")
    run_la = [r.get("loadavg1") for r in thr + lat if r.get("loadavg1") is not None]
    load = (f"1-minute load average {la0[0]:.1f} at the start (which still counts the build and the class "
            f"archive's training just before), {la1[0]:.1f} at the end, median {med(run_la) or 0:.1f} at the start of "
            f"the load runs, on {cpus} cores; the load generator (wrk, Hyperfoil) runs on the same cores as "
            f"the servers and adds about 2 itself")
    steal = meta.get("steal_pct")
    if steal is not None and steal >= 2.0:
        w(f"**The machine was not quiet**: the hypervisor gave {steal:.1f} % of its CPU time to others during the run "
          f"(steal, /proc/stat; {load}), so absolute numbers are noisy and low; the ratios between legs measured side "
          f"by side are the meaningful part.")
    elif steal is not None:
        w(f"Steal time during the run: {steal:.1f} % of the CPU time (/proc/stat); {load}.")
    elif la0[0] > 1.0:
        w(f"**The machine may have been busy** ({load}): absolute numbers may be noisy and low; the ratios between "
          f"legs measured side by side are the meaningful part.")
    else:
        w(f"The machine was quiet at the start ({load}).")
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

    # ---- targets (issue 16) ------------------------------------------------------------------------
    rates = meta.get("rates", {})
    avail = [leg for leg in legs if leg not in unavailable and any(r["leg"] == leg for r in thr + cold)]
    gws = [leg for leg in ("c", "e") if leg in avail]
    gw_note = ""
    if "c" not in gws and "d" in avail:
        gws.insert(0, "d")
        gw_note = " (leg c not measured: leg d, the embedded simulator, stands in)"
    cmax = max(conns) if conns else None
    # the low fixed rate: 10 % of nginx's max if it was run, else the lowest one
    low_frac = "0.1" if "0.1" in rates else (min(rates, key=float) if rates else None)
    low = rates.get(low_frac) if low_frac else None

    def blocked_runs(leg, rate):
        rs = [r for r in lat if r["leg"] == leg and r["rate"] == rate]
        return sum(1 for r in rs if r["blocked_ms"] > 0), len(rs)

    def target_cells(leg):
        """[(text, met)] for one gateway leg, in the order of the rows below."""
        def judged(v, ref, test):
            return None if v is None or not ref else test(v / ref)

        cells = []
        if cmax:
            v, ref = thr_med(leg, cmax, "rps"), thr_med("b", cmax, "rps")
            # judged on the medians; each round's own ratio beside them shows whether a miss holds in every round
            # or is one round's (the host's speed drifts over minutes, and b's runs move with it)
            b_rounds = {r["round"]: r["rps"] for r in thr if r["leg"] == "b" and r["connections"] == cmax and r["rps"]}
            per_round = [r["rps"] / b_rounds[r["round"]] for r in sorted(thr, key=lambda r: r["round"])
                         if r["leg"] == leg and r["connections"] == cmax and r["round"] in b_rounds]
            rounds = (f" (each round against b's in the same round: {', '.join(f'{x:.2f}' for x in per_round)}×)"
                      if len(per_round) > 1 else "")
            cells.append((f"{fmt(v)} req/s = {ratio(v, ref)}{rounds}", judged(v, ref, lambda x: x >= 0.5)))
            v, ref = thr_med(leg, cmax, "own_cpu_s_per_10k"), thr_med("b", cmax, "own_cpu_s_per_10k")
            cells.append((f"{fmt(v, 3)} s = {ratio(v, ref, 1)}", judged(v, ref, lambda x: x <= 4)))
        else:
            cells += [("—", None), ("—", None)]
        if low and rate_valid(low):
            p99, ref = lat_med(leg, low, "p99_ms"), lat_med("b", low, "p99_ms")
            blk, n = blocked_runs(leg, low)
            blk_b, n_b = blocked_runs("b", low)
            blk_a, n_a = blocked_runs("a", low)
            ok = judged(p99, ref, lambda x: x <= 3 and blk == 0 and blk_b == 0)
            cells.append((f"{fmt(p99, 2)} ms = {ratio(p99, ref)}; blocked in {blk}/{n} runs (b: {blk_b}/{n_b}; "
                          f"a, the backend alone: {blk_a}/{n_a})", ok))
        elif low:
            cells.append((f"generator-bound (leg a's p99 {fmt(lat_med('a', low, 'p99_ms'), 0)} ms)", None))
        else:
            cells.append(("not run", None))
        rss = thr_med(leg, cmax, "rss_max_mb") if cmax else None
        # /proc gives KiB: the figures are MiB; the target is in MB (256 MB = 244 MiB)
        cells.append((f"{fmt(rss)} MiB = {fmt(rss and rss * MIB_IN_MB)} MB", rss is not None and rss * MIB_IN_MB <= 256))
        cs = med([r["seconds"] for r in cold if r["leg"] == leg])
        cells.append((f"{fmt(cs, 2)} s", cs is not None and cs <= 2))
        return cells

    def yes(ok):
        return "—" if ok is None else ("**yes**" if ok else "**no**")

    w(f"## Targets (issue 16){gw_note}")
    w("")
    if gws:
        refs = []
        if cmax:
            refs.append(f"nginx (b) at {cmax} connections: {fmt(thr_med('b', cmax, 'rps'))} req/s, "
                        f"{fmt(thr_med('b', cmax, 'own_cpu_s_per_10k'), 3)} CPU s per 10k requests")
        if low:
            refs.append(f"nginx's p99 at {low:,}/s: {fmt(lat_med('b', low, 'p99_ms'), 2)} ms")
        w("Ratios are to nginx `proxy_pass` (leg b) measured in the same run" + (" — " + "; ".join(refs) if refs else "")
          + ".")
        w("")
        head = "| target |" + "".join(f" {LEG_SHORT[g]} | met? |" for g in gws)
        w(head)
        w("|---|" + "---|---|" * len(gws))
        labels = [f"throughput ≥ 0.5× nginx (wrk, {cmax} connections)",
                  f"CPU per request ≤ 4× nginx's (CPU s per 10k requests, wrk, {cmax} connections)",
                  (f"p99 at {float(low_frac):.0%} of nginx's max rate ({low:,}/s) ≤ 3× nginx's p99, no blocked time "
                   f"in the load generator" if low else "p99 at 10 % of nginx's max rate ≤ 3× nginx's p99"),
                  f"RSS under load ≤ 256 MB (largest during the {cmax}-connection wrk runs)",
                  "start to first successful request ≤ 2 s"]
        cells = {g: target_cells(g) for g in gws}
        for i, label in enumerate(labels):
            w(f"| {label} |" + "".join(f" {cells[g][i][0]} | {yes(cells[g][i][1])} |" for g in gws))
        w("")
        if any(ok is False for g in gws for _, ok in cells[g]):
            w("For a target missed, what the profile shows remains and why: `bench/README.md`, *What remains, and "
              "why*" + (" (blocked time: *Latency at fixed request rates* below)." if low else "."))
            w("")
        w(f"JVM options of every JVM leg: `{args['jvm_opts']}` ({meta.get('jvm_opts_source', 'as given')}; leg v "
          f"without the -D properties and the class archive, leg q without the class archive"
          + (", leg x with the class archive of its own build and `-Dceiling=...`" if "x" in avail else "") + ").")
        w("")
    else:
        w("No gateway leg was measured.")
        w("")
    if "e" in avail:
        a = meta.get("auth", {})
        cache = a.get("token_cache_in_build")
        w("Leg e (caller authentication on): every request carries `Authorization: Bearer <token>` with the **same** "
          f"{a.get('algorithm', 'RS256')} token (issuer and audience checked, `groups: [guestops.terminate]`, valid for "
          f"{a.get('token_lifetime_s', 3600) // 60} min), as one caller re-using its token sends it. "
          + ("This build remembers verified tokens (`gateway.auth.verified-token-cache-size`, its default), so "
             "the figures measure the cached case: the signature is checked once per token, not per request; a "
             "caller minting a new token for every request would pay an RSA verification each time."
             if cache else
             "This build has no verified-token cache: every request's signature is verified." if cache is False else
             "Whether this build caches verified tokens could not be read from its jar.")
          + (" A call without the token was refused with 401 before the load runs (authentication enforced)."
             if a.get("status_without_token") == 401 else ""))
        w("")

    # ---- the floors ------------------------------------------------------------------------------------
    if "v" in avail and cmax:
        v_rps, v_cpu = thr_med("v", cmax, "rps"), thr_med("v", cmax, "own_cpu_s_per_10k")
        q_rps = thr_med("q", cmax, "rps") if "q" in avail else None
        q_cpu = thr_med("q", cmax, "own_cpu_s_per_10k") if "q" in avail else None
        w("## Above the floors (legs v and q)" if q_rps else "## Above the JVM's floor (leg v)")
        w("")
        w("Leg v is a minimal Vert.x reverse proxy (`bench/loadgen/proxy`, a few dozen lines on the gateway's "
          "Vert.x and Netty, the same JVM options): it reads the POST, forwards it with the session header over a "
          "keep-alive pool and relays the status, and does nothing else. It is the least one forwarding hop "
          "costs on this JVM."
          + (" Leg q (`bench/loadgen/quarkus-floor`) does the same steps as the one route of a Quarkus application "
             "with the gateway's dependencies and its `application.properties`: Quarkus' HTTP server, its root "
             "handler and request wrappers, Vert.x Web's router, the HTTP server metrics and the tracing hooks, "
             "and none of the gateway's own work. Between v and q lies the stack the gateway is built on; between "
             "q and c, the gateway's own work (validation, routing to the host, the fault-tolerance guard, the "
             "session, metrics, the audit line)." if q_rps else "")
          + (" Leg x is c with that work switched off (the ceiling: below)." if "x" in avail else ""))
        w("")
        cols = "| leg | req/s @{c} | ×v |" + (" ×q |" if q_rps else "") + " ×b | CPU s/10k @{c} | ×v |" \
            + (" ×q |" if q_rps else "") + " ×b | RSS MiB @{c} | cold start s |"
        w(cols.format(c=cmax))
        w("|---|" + "---|" * (8 + (2 if q_rps else 0)))
        for leg in [l for l in ("b", "v", "q", "x", "c", "e", "d") if l in avail]:
            rps, cpu = thr_med(leg, cmax, "rps"), thr_med(leg, cmax, "own_cpu_s_per_10k")
            w(f"| {leg} | {fmt(rps)} | {ratio(rps, v_rps)} |" + (f" {ratio(rps, q_rps)} |" if q_rps else "")
              + f" {ratio(rps, thr_med('b', cmax, 'rps'))} | {fmt(cpu, 3)} | {ratio(cpu, v_cpu, 1)} |"
              + (f" {ratio(cpu, q_cpu, 1)} |" if q_rps else "")
              + f" {ratio(cpu, thr_med('b', cmax, 'own_cpu_s_per_10k'), 1)} | "
              f"{fmt(thr_med(leg, cmax, 'rss_max_mb'))} | {fmt(med([r['seconds'] for r in cold if r['leg'] == leg]), 2)} |")
        w("")
        parts = []
        for leg in [l for l in ("q", "x", "c", "e", "d") if l in avail]:
            rps, cpu = thr_med(leg, cmax, "rps"), thr_med(leg, cmax, "own_cpu_s_per_10k")
            if rps and v_rps and cpu and v_cpu:
                parts.append(f"leg {leg} reaches {rps / v_rps:.2f}× v's throughput and spends "
                             f"{cpu / v_cpu:.1f}× its CPU per request"
                             + (f" ({rps / q_rps:.2f}× and {cpu / q_cpu:.1f}× q's)" if q_rps and leg != "q" else ""))
        if parts:
            w("At " + str(cmax) + " connections " + "; ".join(parts) + "."
              + ("" if q_rps else " What lies above 1× is the gateway's own work and the stack it is built on "
                 "(routing, validation, the guard, metrics, audit, tracing, and for leg e the token check)."))
            w("")
    # ---- what the throughput target asks, against the Quarkus floor and the ceiling ------------------
    if cmax and all(leg in avail for leg in ("b", "q", "c")):
        b_rps, q_rps, c_rps = (thr_med(leg, cmax, "rps") for leg in ("b", "q", "c"))
        x_rps = thr_med("x", cmax, "rps") if "x" in avail else None
        if b_rps and q_rps and c_rps:
            need = 0.5 * b_rps
            w(f"**What the throughput target asks in this run**: 0.5× nginx is {fmt(need)} req/s. The Quarkus stack "
              f"with no gateway work on it (q) reached {fmt(q_rps)} req/s = {ratio(q_rps, b_rps)} nginx; leg c "
              f"reached {fmt(c_rps)} req/s = {ratio(c_rps, q_rps)} q's. Meeting the target would take "
              + (f"c at {need / q_rps:.2f}× q's throughput: the gateway's whole own work (validation, routing, the "
                 f"guard, the session, metrics, audit) could cost at most {100 * (1 - need / q_rps):.0f} % of the "
                 f"throughput of a route that does nothing but forward; it costs {100 * (1 - c_rps / q_rps):.0f} %."
                 if need < q_rps else
                 "more than the Quarkus stack reaches with no gateway work on it at all: no change to the "
                 "gateway's own code can meet it on this stack.")
              + (" What lies in each layer: *Where the CPU goes* below." if has_profile else ""))
            w("")
            if x_rps:
                head = (f"**The ceiling (leg x)**: with every layer of its own work switched off — no fault-tolerance "
                        f"guard; no deadline, cool-down, retry budget or attempt accounting; no metrics and no audit "
                        f"line; no shutdown tracking; no connection guard; no validation — the gateway reached "
                        f"{fmt(x_rps)} req/s = {ratio(x_rps, b_rps)} nginx = {ratio(x_rps, q_rps)} q's. ")
                if x_rps < need:
                    w(head + "**That is below the target too**: a gateway doing none of that work would miss it in "
                      "this run. What is left in x is the stack (q) and what every call needs — reading it, routing "
                      "it to its host, the host's session and exchange, the answer — so no implementation of the "
                      "layers the design requires (DESIGN.md: retries, breakers, metrics on every outcome, the audit, "
                      "the caller's deadline, the edge's limits, validation), however cheap, can meet the target on "
                      "this stack in this run.")
                elif c_rps < need:
                    cost, allowed = 1 - c_rps / x_rps, 1 - need / x_rps
                    w(head + f"The target lies between c and x: the layers the design requires (DESIGN.md: retries, "
                      f"breakers, metrics on every outcome, the audit, the caller's deadline, the edge's limits, "
                      f"validation) cost c {100 * cost:.0f} % of x's throughput, and the target leaves them at most "
                      f"{100 * allowed:.0f} %: all of them together at {100 * allowed / cost:.0f} % of what they cost now.")
                else:
                    w(head + "Leg c meets the target in this run: x shows what its layers cost, "
                      f"{100 * max(0.0, 1 - c_rps / x_rps):.0f} % of x's throughput.")
                w("")
            cpu_budget_section(w, thr, avail, cmax, cpus)
            w("How much each layer takes, one at a time (a separate run, not this one's): `bench/ceiling.sh`, "
              "`bench/results/CEILING.md`.")
            w("")

    # ---- the profile ---------------------------------------------------------------------------------
    profile_section(w, profiles, avail)

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
    if any("connections" in f for f in failed):
        w("wrk runs that failed (not counted above): " + "; ".join(
            f"leg {f['leg']} at {f['connections']} connections round {f['round']}" for f in failed
            if "connections" in f) + ".")
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
            w("| leg | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p99 ×b | p99 ×a | achieved req/s | 2xx / sent | "
              "blocked | CPU s/10k | GC: longest young pause ms; full collections (longest ms) |")
            w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
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
                  f"{blocked}/{len(rs)} runs | {fmt(med([r.get('own_cpu_s_per_10k') for r in rs]), 3)} | "
                  f"{gc_cell(rs)} |")
            w("")
        if any("rate" in f for f in failed):
            w("Load-driver runs that failed (not counted above): " + "; ".join(
                f"leg {f['leg']} at {f['rate']:,}/s round {f['round']}" for f in failed if "rate" in f) + ".")
            w("")
        w("*blocked*: runs in which some request waited for a free connection (Hyperfoil's blocked time > 0). "
          "Hyperfoil times a request from the moment it is written; in a run with blocked time the wait for a "
          "connection is not in the percentiles, so those percentiles are optimistic (coordinated omission "
          "creeps back in). A run with 0 blocked time measured every request from its scheduled start. "
          "*CPU s/10k*: the leg's own CPU over the whole driver run (warm-up included) per 10 000 requests sent "
          "at that rate — at a low rate a JVM's fixed per-second costs weigh more than under saturation. "
          "*GC pauses*: over the leg's runs at that rate, the longest young-collection pause within the measured "
          "seconds, and the full collections there (from the JVM's `-Xlog:gc` file; — for the nginx legs and for runs "
          "recorded before the bench logged them, 2026-12-06 morning).")
        w("")
        if low and rate_valid(low):
            blocked_section(w, [r for r in lat if r["rate"] == low], low)

    # ---- resources -----------------------------------------------------------------------------------
    if thr:
        w("## Resources under load (from /proc during the wrk runs)")
        w("")
        w("CPU seconds (user + system) per 10 000 requests of the leg's own processes — a: the backend's nginx "
          "processes; b: the proxy's nginx processes (the backend's share not included); v, q, c, e, d: the JVM "
          "(the backend's share not included). RSS: largest resident set of the same processes during a run.")
        w("")
        w("| leg |" + "".join(f" CPU s/10k @{c} | ×b | ×a |" for c in conns) + f" RSS MiB @{max(conns)} |")
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
        hwm = [f"{leg} {meta[f'vmhwm_mb_{leg}']:.0f} MiB" for leg in legs if meta.get(f"vmhwm_mb_{leg}")]
        if hwm:
            w("")
            w("Peak RSS of the JVM legs over their whole life (VmHWM: JIT warm-up and every run included): "
              + ", ".join(hwm) + f". JVM options: `{args['jvm_opts']}`.")
        warm = jsonl(out / "warmup.jsonl")
        if warm:
            w("")
            w("JIT warm-up before the measured runs (wrk, " + str(max(conns)) + " connections, 5 s slices until two in a "
              "row agree within 5 %" + (" and the JIT compiler took under 1 % of the JVM's CPU in both"
                                        if any("jit_cpu_share" in x for x in warm) else "") + "): " + "; ".join(
                  f"{x['leg']} {x['seconds']} s ({' → '.join(fmt(v) for v in x['slices_rps'])} req/s"
                  + ("" if x["stable"] else ", **not yet stable** at the limit") + ")" for x in warm) + ".")
        w("")

    # ---- cold start ----------------------------------------------------------------------------------
    if cold:
        w("## Cold start to the first successful request")
        w("")
        w("From launching the process to the first 2xx answer to the terminate call (polled every 5 ms). For the "
          "JVM legs that includes the JVM start; the first request of legs c and e also logs in to the backend, "
          "leg e's also verifies the caller's token. Each JVM leg is launched once the CPUs were at least 90 % idle "
          "for a second (the build, the class archive's training and the previous leg's shutdown are not measured "
          "with it).")
        waits = [r["quiet_wait_s"] for r in cold if "quiet_wait_s" in r]
        if waits:
            idles = [r["idle_share_before"] for r in cold if "idle_share_before" in r]
            w(f"Waited for that {fmt(min(waits), 1)}–{fmt(max(waits), 1)} s per start; idle share in the second "
              f"before each start {fmt(100 * min(idles), 0)}–{fmt(100 * max(idles), 0)} %"
              + (" (**a start did not find the machine quiet within 90 s**)" if min(idles) < 0.9 else "") + ".")
        if meta.get("class_archive_mib"):
            w(f"The gateway legs map the image's class archive ({meta['class_archive_mib']:.0f} MiB, made before the "
              "runs by `src/main/docker/appcds-train.sh` as the image build makes it: one terminate call on the "
              "embedded demo); legs v and q have none.")
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
