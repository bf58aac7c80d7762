#!/usr/bin/env bash
# Times scripts/setup.sh from a fresh clone with empty caches, once per revision, one after the
# other in the same run (baseline first), and prints the load average beside each.
#   bash bench/setup_time.sh <repo> <baseline-rev> <rev>…
#   e.g. bash bench/setup_time.sh /work/main 0c4e3b1 setup-uv
# Each revision gets /tmp/setupcheck-<rev> and an empty cache folder /tmp/cache-<rev> (XDG_CACHE_HOME:
# pip's, uv's and zwqa's model cache), both removed first.
set -euo pipefail
repo="$1"; shift
for rev in "$@"; do
  d="/tmp/setupcheck-$rev"; cache="/tmp/cache-$rev"
  rm -rf "$d" "$cache"; mkdir -p "$cache"
  git clone -q "$repo" "$d"; git -C "$d" checkout -q "$rev"
  echo "== $rev load: $(cat /proc/loadavg)"
  (cd "$d" && /usr/bin/time -f "$rev real %e s user %U sys %S" env XDG_CACHE_HOME="$cache" bash scripts/setup.sh)
  echo "== $rev end load: $(cat /proc/loadavg)"
done
