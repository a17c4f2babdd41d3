#!/usr/bin/env bash
# How close to the throughput target the gateway could come if whole layers of its work were taken out: the
# shipped build, then a build of the same commit with bench/ceiling/layers.patch applied, started with more and more
# of those layers switched off (-Dceiling=...), and the Quarkus floor (leg q), measured in alternating rounds by
# bench/ab.py. Not part of ./mvnw verify, and none of it ships: the patch is applied to a throw-away worktree.
#
#   bench/ceiling.sh [ROUNDS] [DURATION]    # 3 rounds of 20 s by default, each start warmed until its compiler is quiet: ~40 min
#
# Layers the patch can switch off (each variant takes out everything before it too):
#   guard    SmallRye Fault Tolerance's guard around the attempt (retry, circuit breaker, bulkhead)
#   service  the use case's deadline and the host's protections and accounting (cool-down, retry budget, attempt
#            listener and metrics), the caller-scope checks and the hops back to the request's context: the owner
#            is resolved and its client called once (the audit line then names no host and no attempt)
#   record   the outcome's metrics and the audit line
#   track    the shutdown tracking, the copy that lets a kill run past its caller, the client-certificate check
#   edge     the connection guard's Netty handlers (head and body timeouts, refusals in the vAPI shape, the
#            connection limit)
#   parse    the request's validation (the first request's command is used for every later one; wrk sends one)
# What is left after all of them: Quarkus' HTTP layer, the routes, reading the body, the endpoint's pipeline, routing
# to the host and the vapi client's exchange (session, headers, capped read, attempt timeout), rendering the answer.
#
# Writes bench/results/CEILING.md: each build's medians and their multiples of the floor's throughput and CPU per
# request (read in bench/README.md: the paragraph on the ceiling, leg x, under Latest figures). The patched build is
# made by bench/ceiling/build.sh (also used by bench/run.sh for leg x, the last row's build beside the others in the
# full benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
rounds=${1:-3}
duration=${2:-20}

./mvnw -B -q package -DskipTests -DskipITs
quarkus_v=$(sed -n 's:.*<version.quarkus>\(.*\)</version.quarkus>.*:\1:p' pom.xml | head -1)
# (ab.py drives wrk only: neither the Hyperfoil load generator nor leg v's jar is needed; the floor compiles v's sources)
./mvnw -B -q -f bench/loadgen/quarkus-floor/pom.xml -Dquarkus.version="$quarkus_v" package

work=$(mktemp -d /tmp/ceiling.XXXXXX)
trap 'git worktree remove --force "$work/src" 2>/dev/null || true; rm -rf "$work"' EXIT
patched=$(bench/ceiling/build.sh "$work")

out=bench/results/CEILING.md
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
table="$work/table.md"
AB_MARKDOWN="$table" python3 bench/ab.py "$rounds" "$duration" \
  shipped=target/quarkus-app/quarkus-run.jar \
  "no-guard=$patched|-Dceiling=guard" \
  "no-service=$patched|-Dceiling=guard,service" \
  "no-record=$patched|-Dceiling=guard,service,record" \
  "no-track=$patched|-Dceiling=guard,service,record,track" \
  "no-edge=$patched|-Dceiling=guard,service,record,track,edge" \
  "no-parse=$patched|-Dceiling=guard,service,record,track,edge,parse" \
  floor=floor
{
  echo "# The ceiling: the gateway with layers of its own work taken out"
  echo
  echo "Run $started → $(date -u +%Y-%m-%dT%H:%M:%SZ) (UTC) by \`bench/ceiling.sh $rounds $duration\`: leg c (a vapi host on the canned nginx"
  echo "backend, wrk at 64 connections, ${duration} s measured after a warm-up per start until the JIT compiler is quiet, as"
  echo "bench/run.sh warms its legs), $rounds alternating rounds, medians."
  echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (the shipped build with local changes; the patched builds are of the commit)');"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $( (java -version 2>&1 || true) | sed -n 1p); the chart's JVM options."
  echo
  echo "Each row after *shipped* is a build of the same commit with \`bench/ceiling/layers.patch\`, started with"
  echo "one more layer of the gateway's own work switched off than the row before (\`-Dceiling=...\`; what each takes out:"
  echo "\`bench/ceiling.sh\`). None of these builds is a product: they show how far the throughput target could be reached"
  echo "by taking work out. What the target asks of c against the floor, and the last row measured beside nginx (leg x):"
  echo "bench/results/SUMMARY.md, \"What the throughput target asks in this run\" and \"The ceiling (leg x)\"."
  echo
  cat "$table"
  echo
  sed -n 's/^#   \([a-z]\+\)  */- **\1**: /p; s/^#            /  /p' bench/ceiling.sh
  echo
  echo "What is left after all of them: Quarkus' HTTP layer, the routes, reading the body, the endpoint's pipeline,"
  echo "routing to the host and the vapi client's exchange (session, headers, capped read, attempt timeout), rendering"
  echo "the answer. The floor (leg q) is the same stack forwarding and doing nothing else. Reading: bench/README.md,"
  echo "the paragraph on the ceiling, leg x, under Latest figures."
} > "$out"
echo "wrote $out"
