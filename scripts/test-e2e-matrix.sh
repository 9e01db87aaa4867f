#!/usr/bin/env bash
# Runs the e2e suite once per installed nats-server channel (.nats-server/bookworm, trixie, unstable),
# so every change is tested on 2.9.x (Debian 12), 2.10.x (Debian 13) and the newest server (unstable). With no channel installed
# (a user with nats-server on PATH or NATS_SERVER_BIN set), it runs the suite once on that server.
# Extra arguments go to Jest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jest=(node --experimental-vm-modules node_modules/jest/bin/jest.js --config test/jest-e2e.json)

channels=()
if [ -z "${NATS_SERVER_BIN:-}" ]; then
  for channel in bookworm trixie unstable; do
    [ -x ".nats-server/$channel/nats-server" ] && channels+=("$channel")
  done
fi

if [ ${#channels[@]} -eq 0 ]; then
  echo "== e2e on $(${NATS_SERVER_BIN:-nats-server} --version 2>/dev/null || echo 'nats-server (not found: run npm run nats:install)')"
  "${jest[@]}" "$@"
  exit
fi

# Every channel runs even when one fails, so one run shows every version's failures.
failed=()
for channel in "${channels[@]}"; do
  echo "== e2e on $(".nats-server/$channel/nats-server" --version) ($channel)"
  NATS_SERVER_CHANNEL="$channel" "${jest[@]}" "$@" || failed+=("$channel")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "== e2e failed on: ${failed[*]}" >&2
  exit 1
fi
