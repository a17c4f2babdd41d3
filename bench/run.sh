#!/usr/bin/env bash
# Benchmark of the gateway against a plain nginx reverse proxy, a minimal Vert.x proxy and a Quarkus floor on
# the same zero-cost backend, against issue 16's targets. Not part of ./mvnw verify. Loopback only; every load
# run is bounded in time.
#
#   bench/run.sh                 # full run: 8 legs, 3 rounds, and the profile: about 30-40 minutes on 2 cores
#   BENCH_ROUNDS=1 BENCH_DURATION=3 BENCH_LAT_DURATION=3 bench/run.sh     # a quick look (~4 min)
#
# Legs (bench/bench.py): a backend, b nginx proxy_pass, v minimal Vert.x proxy (the JVM's floor), q the
# same forwarding as the one route of a Quarkus application with the gateway's dependencies and settings
# (the floor of the gateway's stack), x the ceiling: leg c with every layer of the gateway's own work switched
# off (bench/ceiling/layers.patch on this commit, -Dceiling=...; a measurement build, never a product; under wrk
# only: throughput, CPU, the profile), c gateway -> vapi host, e = c with caller authentication on (a bearer JWT on every request),
# d gateway on its embedded simulator.
#
# Environment (all optional):
#   BENCH_LEGS            legs to measure (a,b,v,q,x,c,e,d; a is always started, every other leg calls it)
#   BENCH_ROUNDS          rounds; every figure is the median over them (3)
#   BENCH_CONNECTIONS     wrk connection counts (16,64)
#   BENCH_DURATION        seconds per wrk run (8)
#   BENCH_LAT_DURATION    seconds per measured fixed-rate run, after 3 s of warm-up (6)
#   BENCH_RATE_FRACTIONS  fixed rates as fractions of nginx's best throughput (0.1,0.25)
#   BENCH_JIT_WARMUP      at most this many seconds of load on each JVM leg before measuring; it stops
#                         earlier once two 5 s slices agree within 5 % and the JIT compiler was quiet
#                         (under 1 % of the JVM's CPU) in both (120)
#   BENCH_JVM_OPTS        JVM options of the JVM legs (default: what the Helm chart's defaults give the
#                         pod, from helm/guestops-gateway/values.yaml: javaMaxMemRatio of the memory
#                         limit as -XX:MaxRAM/-XX:MaxRAMPercentage, i.e. a 256 MiB heap of 512Mi, the base
#                         image's ParallelGC options, javaOptsAppend)
#   BENCH_PROFILE_DURATION seconds of load recorded with JFR on legs v, q, x, c and e after the measured runs, for the
#                         summary's "Where the CPU goes" (15; each leg first runs until its JIT compiler is quiet
#                         again under a first recording, up to 150 s; 0: no profile). Needs jcmd and jfr (the JDK).
#   BENCH_SKIP_BUILD=1    use the existing target/quarkus-app
#   BENCH_APP_JAR         another packaged gateway for legs c, e, d (default target/quarkus-app/quarkus-run.jar;
#                         leg x is built from this checkout's commit either way)
#   BENCH_OUT             raw results directory (default bench/results/raw/<UTC time>)
#
# Writes the raw results and SUMMARY.md to BENCH_OUT, and copies the summary to
# bench/results/SUMMARY.md (the committed one).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# ---- tools: nginx and wrk from Debian, python3 and curl for the driver -----------------------------
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v pgrep >/dev/null 2>&1 || need+=(procps)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v jcmd >/dev/null 2>&1 && command -v jfr >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless) # the profile
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
export PATH="$PATH:/usr/sbin"
# the Debian package starts a system nginx on port 80; it is not used (ours run on 1808x)

# ---- builds ------------------------------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q package -DskipTests -DskipITs
fi
./mvnw -B -q -f bench/loadgen/pom.xml package
# leg v on the gateway's Vert.x and Netty: the same Quarkus BOM as the gateway's pom.xml
quarkus_v=$(sed -n 's:.*<version.quarkus>\(.*\)</version.quarkus>.*:\1:p' pom.xml | head -1)
./mvnw -B -q -f bench/loadgen/proxy/pom.xml -Dquarkus.version="$quarkus_v" package
vertx_v=$(tr ':' '\n' < bench/loadgen/proxy/target/classpath.txt | sed -n 's:.*/vertx-core-\(.*\)\.jar:\1:p' | head -1)
# leg q: the gateway's dependencies and application.properties, v's forwarding as its one route (built only when measured)
case ",${BENCH_LEGS:-q}," in
  *,q,*) ./mvnw -B -q -f bench/loadgen/quarkus-floor/pom.xml -Dquarkus.version="$quarkus_v" package ;;
esac
# leg x: this commit with bench/ceiling/layers.patch, in a throw-away worktree (built only when measured)
ceiling=()
case ",${BENCH_LEGS:-x}," in
  *,x,*)
    ceiling_dir=$(mktemp -d /tmp/ceiling.XXXXXX)
    trap 'git worktree remove --force "$ceiling_dir/src" 2>/dev/null || true; rm -rf "$ceiling_dir"' EXIT
    ceiling_jar=$(bench/ceiling/build.sh "$ceiling_dir")
    ceiling=(--ceiling-jar "$ceiling_jar") ;;
esac

OUT=${BENCH_OUT:-bench/results/raw/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"

# ---- the machine, for the summary ---------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
java_v=$( (java -version 2>&1 || true) | sed -n 1p)
nginx_v=$( (nginx -v 2>&1 || true) | sed 's/.*: //')
wrk_v=$( (wrk -v 2>&1 || true) | sed -n 1p | awk '{print $2}')
# what the measured jar is built from and differs from the commit, by name (tests and docs are not in it)
built_changes=$(git status --porcelain --untracked-files=all -- src/main pom.xml | cut -c4- | paste -sd, - | sed 's/,/, /g')
echo "$(nproc) cores ($cpu), $mem RAM, $os, kernel $(uname -r); $java_v; $nginx_v; wrk $wrk_v; Hyperfoil 0.25.2; Vert.x $vertx_v (leg v); gateway commit $(git rev-parse --short HEAD)${built_changes:+ with uncommitted changes to $built_changes}." \
  > "$OUT/machine.txt"
cat "$OUT/machine.txt"

args=()
[ -n "${BENCH_JVM_OPTS:-}" ] && args+=(--jvm-opts "$BENCH_JVM_OPTS")
[ -n "${BENCH_APP_JAR:-}" ] && args+=(--app-jar "$BENCH_APP_JAR")
python3 bench/bench.py --out "$OUT" \
  --legs "${BENCH_LEGS:-a,b,v,q,x,c,e,d}" \
  --rounds "${BENCH_ROUNDS:-3}" \
  --connections "${BENCH_CONNECTIONS:-16,64}" \
  --duration "${BENCH_DURATION:-8}" \
  --lat-duration "${BENCH_LAT_DURATION:-6}" \
  --rate-fractions "${BENCH_RATE_FRACTIONS:-0.1,0.25}" \
  --jit-warmup "${BENCH_JIT_WARMUP:-120}" \
  --profile-duration "${BENCH_PROFILE_DURATION:-15}" \
  "${args[@]}" "${ceiling[@]}"

python3 bench/report.py "$OUT" --machine "$OUT/machine.txt" > /dev/null
cp "$OUT/SUMMARY.md" bench/results/SUMMARY.md
echo
echo "summary: $OUT/SUMMARY.md (copied to bench/results/SUMMARY.md)"
