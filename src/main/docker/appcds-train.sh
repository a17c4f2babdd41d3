#!/bin/bash
# Makes the application's AppCDS archive (<app dir>/app-cds.jsa): starts the packaged application on its
# embedded demo simulator, sends it one terminate call, stops it, and lets the JVM write the classes it loaded
# to the archive as it exits. A JVM started with -XX:SharedArchiveFile=<that file> maps those classes
# instead of loading, parsing and verifying them again: the start is about a fifth shorter (bench/HISTORY.md).
#
#   src/main/docker/appcds-train.sh [app dir, default /deployments]
#
# The archive only serves the JVM that wrote it (same build of the same JDK) and the same jar at the same path:
# Dockerfile.jvm runs this with the image's own java on /deployments; bench/bench.py (and the soak, whatif.py)
# with the local java on target/quarkus-app. Anything else makes the JVM ignore the archive and start as
# without it, never fail.
# Loopback only, bounded: it gives up (and exits non-zero) after 90 s. APPCDS_TRAIN_JAVA names another java
# (default: the one on the PATH); APPCDS_TRAIN_PORT another port for the
# call (default 18080; the management port is any free one).
set -euo pipefail

app_dir=$(cd "${1:-/deployments}" && pwd)
archive="$app_dir/app-cds.jsa"
port=${APPCDS_TRAIN_PORT:-18080}
work=$(mktemp -d) # an empty working directory: no config/application.yaml, so the embedded demo serves
trap 'rm -rf "$work"' EXIT
rm -f "$archive"

cd "$work"
"${APPCDS_TRAIN_JAVA:-java}" -XX:ArchiveClassesAtExit="$archive" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=0 \
  -Dquarkus.shutdown.delay=0s \
  -jar "$app_dir/quarkus-run.jar" >"$work/train.log" 2>&1 &
pid=$!

# One terminate call on the demo VM; prints the answer's status line, nothing while nothing listens yet.
# Bash's /dev/tcp: the runtime image has no curl.
terminate_once() {
  local body='{"credentials":{"type":"USERNAME_PASSWORD","user_name":"root","password":"vmware","interactive_session":false}}'
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 0
  printf 'POST /api/vcenter/vm/vm-1/guest/processes/1000?action=delete HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "${#body}" "$body" >&3
  local status=""
  read -r -t 30 status <&3 || true # a cold JVM's first answer takes a while on a slow machine
  exec 3<&-
  printf '%s' "${status%$'\r'}"
}

give_up() {
  kill -KILL "$pid" 2>/dev/null || true
  echo "appcds-train: $1; the application's log:" >&2
  grep -v '\[cds\]' "$work/train.log" | tail -n 20 >&2 # not the archive's own warnings of the exit
  exit 1
}

deadline=$((SECONDS + 90))
status=""
while [[ -z "$status" ]]; do
  kill -0 "$pid" 2>/dev/null || give_up "the application exited"
  ((SECONDS < deadline)) || give_up "the application did not answer within 90 s"
  sleep 0.2
  status=$(terminate_once 2>/dev/null)
done
[[ "$status" == "HTTP/1.1 204"* ]] || give_up "the training call was answered '$status', not 204"

kill -TERM "$pid"
while kill -0 "$pid" 2>/dev/null; do
  ((SECONDS < deadline)) || give_up "the application did not stop within 90 s"
  sleep 0.2
done
wait "$pid" || true # SIGTERM's exit status; the archive below is what counts
[[ -s "$archive" ]] || give_up "the JVM wrote no archive (does its JDK have its default CDS archive, lib/server/classes.jsa?)"
echo "appcds-train: $archive ($(du -k "$archive" | cut -f1) KiB)"
