#!/usr/bin/env bash
# Installs Debian's packages the tests use: chromium for the browser tests (Playwright drives it;
# it never downloads one) and Voikko's Finnish dictionary for search.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && [ -d /usr/lib/voikko ] && ldconfig -p | grep -q libvoikko.so.1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  chromium fonts-dejavu-core voikko-fi libvoikko1 >/dev/null
