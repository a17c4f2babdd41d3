#!/usr/bin/env bash
# Builds the checkout's commit (HEAD, not local changes) with bench/ceiling/layers.patch applied, in a throw-away
# git worktree at DIR/src, and prints the packaged jar's path (the build's own output goes to stderr). The caller
# removes the worktree (`git worktree remove --force DIR/src`). Used by bench/ceiling.sh and by bench/run.sh for
# leg x. When the code the patch touches has changed, `git apply` stops here: the patch is made again from its
# six switches (-Dceiling=guard,service,record,track,edge,parse; bench/ceiling.sh lists what each takes out).
#
#   bench/ceiling/build.sh DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
git worktree add -q --detach "$dir/src" HEAD
git -C "$dir/src" apply "$PWD/bench/ceiling/layers.patch"
./mvnw -B -q -f "$dir/src/pom.xml" package -DskipTests -DskipITs >&2
echo "$dir/src/target/quarkus-app/quarkus-run.jar"
