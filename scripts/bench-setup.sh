#!/usr/bin/env bash
# What `npm run bench` needs beyond npm packages: Metaflow (pinned with its dependencies in
# scripts/bench-requirements.txt) in the bench's own venv, so benchmarks 1 and 2 measure it beside
# flowship in the same run. Idempotent: a stamp (a copy of the lock file) skips the install while the
# lock is unchanged. `npm test` never runs this; the bench's --quick mode does not measure Metaflow.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=scripts/bench-requirements.txt
VENV=node_modules/.cache/flowship-bench-venv
STAMP="$VENV/.flowship-lock"
if [ -x "$VENV/bin/python" ] && cmp -s "$LOCK" "$STAMP"; then
  echo "bench setup: Metaflow is installed in $VENV (pinned in $LOCK)"
  exit 0
fi
echo "bench setup: installing Metaflow (pinned in $LOCK) into $VENV"
started=$(date +%s)
rm -rf "$VENV"
python3 -m venv "$VENV"
log=$(mktemp)
# Unlike the test venv, Python sources are compiled here, once: Metaflow imports most of its
# package in every task, and the first timed run must not pay for writing the bytecode.
if ! "$VENV/bin/pip" install --disable-pip-version-check --retries 2 --timeout 30 \
  --no-deps -r "$LOCK" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
rm -f "$log"
cp "$LOCK" "$STAMP"
echo "bench setup: done in $(($(date +%s) - started)) s"
