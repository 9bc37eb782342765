#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed when missing:
# - bubblewrap, the sandbox `step-functions simulate` runs each Batch job's exact command in;
# - chromium, the headless browser the tests of `flowship ui` drive (with puppeteer-core);
# - botocore (pinned) in a venv, whose AWS API models the deploy requests are checked against.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! bwrap --ro-bind / / --unshare-pid true 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test setup: installing bubblewrap (the sandbox of step-functions simulate)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
    bwrap --ro-bind / / --unshare-pid true
  else
    echo "test setup: bubblewrap is missing or cannot create namespaces here; install it (apt-get install bubblewrap)" >&2
    exit 1
  fi
fi

if [ -z "${FLOWSHIP_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test setup: installing chromium (the browser the flowship ui tests drive)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test setup: chromium is missing; install it (apt-get install chromium) or set FLOWSHIP_TEST_CHROMIUM" >&2
    exit 1
  fi
fi

BOTOCORE=1.43.107
VENV=node_modules/.cache/flowship-test-venv
if ! "$VENV/bin/python" -c "import botocore, sys; sys.exit(botocore.__version__ != '$BOTOCORE')" 2>/dev/null; then
  echo "test setup: installing botocore $BOTOCORE (AWS's API models) into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  log=$(mktemp)
  if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check --retries 1 --timeout 10 "botocore==$BOTOCORE" >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  rm -f "$log"
fi
