#!/usr/bin/env bash
# Soak with faults (issue 9, item 3): mixed load on the packaged gateway while a fault-injecting vAPI
# backend misbehaves, then assertions (see soak.py). Loopback only, stops by itself: about 6 minutes of
# load plus start-up and draining (under 10 minutes with the build).
#
#   bench/soak/run.sh                       # SOAK_SECONDS=360 by default
#   SOAK_SECONDS=60 bench/soak/run.sh       # a quick look
#
# Environment: SOAK_SECONDS, SOAK_THREADS (16), SOAK_RATE_PER_THREAD (12.5), SOAK_PHASE_SECONDS (15),
# SOAK_MODE (auto | vapi | simulator), BENCH_SKIP_BUILD=1, SOAK_OUT (default bench/results/raw/soak-<time>).
# Exit status 0 when every assertion holds. The summary is copied to bench/results/SOAK.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v jcmd >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q package -DskipTests -DskipITs
fi

OUT=${SOAK_OUT:-bench/results/raw/soak-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
status=0
timeout 600 python3 bench/soak/soak.py --out "$OUT" \
  --seconds "${SOAK_SECONDS:-360}" \
  --threads "${SOAK_THREADS:-16}" \
  --rate-per-thread "${SOAK_RATE_PER_THREAD:-12.5}" \
  --phase-seconds "${SOAK_PHASE_SECONDS:-15}" \
  --mode "${SOAK_MODE:-auto}" || status=$?
if [ -f "$OUT/SOAK.md" ]; then
  cp "$OUT/SOAK.md" bench/results/SOAK.md
  echo "summary: $OUT/SOAK.md (copied to bench/results/SOAK.md)"
fi
exit $status
