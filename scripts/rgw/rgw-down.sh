#!/usr/bin/env bash
# Stops the daemons rgw-up.sh started under DIR (by their pid files only) and removes DIR.
# Safe to call twice or on a half-started DIR.
set -uo pipefail
DIR=${1:?usage: rgw-down.sh DIR}
[ -d "$DIR" ] || exit 0
pids=()
for f in "$DIR"/run/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  # Only signal a pid that still is one of ours (pid files can outlive their process).
  if [ -n "$pid" ] && grep -qs -- "$DIR" "/proc/$pid/cmdline"; then kill "$pid" 2>/dev/null && pids+=("$pid"); fi
done
for _ in $(seq 1 50); do
  alive=0
  for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.2
done
for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null; done
rm -rf "$DIR"
echo "rgw-down: stopped ${#pids[@]} daemon(s)" >&2
