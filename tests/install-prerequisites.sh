#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine; safe to run again (installs only what is missing).
#   Debian: ffmpeg + lame + python3-mutagen (audio fixtures and oracles), postgresql (metadata tests), chromium (browser tests)
#   npm:    s3rver and azurite (cloud storage tests) and subsonic-api (the Subsonic client tests), pinned in tests/package-lock.json
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

apt_packages=(ffmpeg lame python3-mutagen postgresql chromium)
# Node.js runs the npm test servers; the machine image ships Node 20 — fall back to Debian's only when none is there.
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f "$here/package-lock.json" ] && { [ ! -d "$here/node_modules" ] || [ ! -d "$here/node_modules/subsonic-api" ]; }; then
  echo "Installing test servers and clients from npm (tests/package-lock.json)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
