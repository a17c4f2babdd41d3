#!/usr/bin/env bash
# Benchmark of the gateway against a plain nginx reverse proxy on the same zero-cost backend
# (issue 9). Not part of ./mvnw verify. Loopback only; every load run is bounded in time.
#
#   bench/run.sh                 # full run: 3 rounds, about 12 minutes on 2 cores
#   BENCH_ROUNDS=1 BENCH_DURATION=3 BENCH_LAT_DURATION=3 bench/run.sh     # a quick look
#
# Environment (all optional): BENCH_ROUNDS (3), BENCH_CONNECTIONS (16,64), BENCH_DURATION (8 s per wrk
# run), BENCH_LAT_DURATION (6 s per fixed-rate run), BENCH_RATE_FRACTIONS (0.1,0.25,0.5 of nginx's max),
# BENCH_JVM_OPTS (-Xmx384m ...), BENCH_SKIP_BUILD=1 (use the existing target/quarkus-app),
# BENCH_OUT (raw results directory; default bench/results/raw/<UTC time>).
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

OUT=${BENCH_OUT:-bench/results/raw/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"

# ---- the machine, for the summary ---------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
java_v=$( (java -version 2>&1 || true) | sed -n 1p)
nginx_v=$( (nginx -v 2>&1 || true) | sed 's/.*: //')
wrk_v=$( (wrk -v 2>&1 || true) | sed -n 1p | awk '{print $2}')
echo "$(nproc) cores ($cpu), $mem RAM, $os, kernel $(uname -r); $java_v; $nginx_v; wrk $wrk_v; Hyperfoil 0.25.2; gateway commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo '+local changes')." \
  > "$OUT/machine.txt"
cat "$OUT/machine.txt"

python3 bench/bench.py --out "$OUT" \
  --rounds "${BENCH_ROUNDS:-3}" \
  --connections "${BENCH_CONNECTIONS:-16,64}" \
  --duration "${BENCH_DURATION:-8}" \
  --lat-duration "${BENCH_LAT_DURATION:-6}" \
  --rate-fractions "${BENCH_RATE_FRACTIONS:-0.1,0.25,0.5}" \
  --jvm-opts "${BENCH_JVM_OPTS:--Xmx384m -XX:+ExitOnOutOfMemoryError}"

python3 bench/report.py "$OUT" --machine "$OUT/machine.txt" > /dev/null
cp "$OUT/SUMMARY.md" bench/results/SUMMARY.md
echo
echo "summary: $OUT/SUMMARY.md (copied to bench/results/SUMMARY.md)"
