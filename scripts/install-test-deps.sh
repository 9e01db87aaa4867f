#!/usr/bin/env bash
# Installs what `npm test` needs and the machine lacks, from Debian's packages:
#   - the nats-server versions of the e2e matrix (scripts/install-nats-server.sh), unless the user
#     brings their own (NATS_SERVER_BIN, or nats-server on PATH with nothing installed here);
#   - Chromium for the dashboard e2e test (as root with apt-get; otherwise it says what to install).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -n "${NATS_SERVER_BIN:-}" ]; then
  echo "nats-server: using NATS_SERVER_BIN=$NATS_SERVER_BIN"
elif command -v nats-server >/dev/null 2>&1 && ! compgen -G "$root/.nats-server/*/nats-server" >/dev/null; then
  echo "nats-server: using $(command -v nats-server) ($(nats-server --version)); npm run nats:install adds the version matrix"
else
  bash "$root/scripts/install-nats-server.sh" all
fi

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium: installing Debian's package for the dashboard e2e test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium: not found at $chromium; install Debian's chromium package (or set CHROMIUM_PATH) for the dashboard e2e test" >&2
  fi
fi
