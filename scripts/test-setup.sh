#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed if missing: bubblewrap, the sandbox that
# `step-functions simulate` runs each Batch job's exact command in (see docs/production.md).
set -euo pipefail
if bwrap --ro-bind / / --unshare-pid true 2>/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test setup: installing bubblewrap (the sandbox of step-functions simulate)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  bwrap --ro-bind / / --unshare-pid true
  exit 0
fi
echo "test setup: bubblewrap is missing or cannot create namespaces here; install it (apt-get install bubblewrap) — the sandbox tests need it" >&2
exit 1
