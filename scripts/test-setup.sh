#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed when missing:
# - bubblewrap, the sandbox `step-functions simulate` runs each Batch job's exact command in;
# - chromium, the headless browser the tests of `flowship ui` drive (with puppeteer-core);
# - moto's server, cfn-lint and botocore (pinned) in a venv: the AWS the deploy tests run against,
#   the stack template's linter, and the API models every request is checked against.
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

# The Python side of the AWS tests, pinned together in one venv: moto's server (an AWS nobody here
# wrote: S3, IAM, STS, CloudFormation, Batch, Step Functions and its interpreter, EventBridge,
# Scheduler, SNS, EC2), cfn-lint (AWS's resource specifications, for the generated stack) and
# botocore (AWS's API models, which every recorded request is checked against).
# Every package is pinned with its dependencies in scripts/test-requirements.txt, so pip installs
# without resolving and without compiling (Python compiles what a test imports, once).
LOCK=scripts/test-requirements.txt
VENV=node_modules/.cache/flowship-test-venv
STAMP="$VENV/.flowship-lock"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$LOCK" "$STAMP"; then
  echo "test setup: installing moto[server], cfn-lint and botocore (pinned in $LOCK) into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  log=$(mktemp)
  if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check --retries 2 --timeout 30 \
    --no-deps --no-compile -r "$LOCK" >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  rm -f "$log"
  cp "$LOCK" "$STAMP"
fi
