#!/usr/bin/env bash
# Installs the nats-server binaries the tests, the benchmarks and the demo use, from Debian's
# packages only, into .nats-server/<channel>/nats-server (git-ignored):
#   bookworm - Debian 12's nats-server (2.9.x), the oldest line the library supports
#   trixie   - Debian 13's nats-server (2.10.x), what many production clusters still run
#   unstable - the newest nats-server in Debian's unstable suite (2.15.x today)
# The package mirror is read from this machine's own apt sources; no host is named here.
# Nothing is installed system-wide and no root is needed. Idempotent: a channel whose binary is
# already present is left alone.
#
# Usage: scripts/install-nats-server.sh [bookworm|trixie|unstable|all|--if-missing]   (default: all)
#   --if-missing  installs the newest channel only when no nats-server is at hand (none installed here,
#                 none on PATH, NATS_SERVER_BIN and NATS_URL unset); used before `npm start`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.nats-server"
want="${1:-all}"

# The first Debian archive URI of the system's apt sources (deb822 or one-line format).
debian_uri() {
  local uri=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    uri=$(awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources | grep -v -- '-security' | head -n1 || true)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" {for (i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list | grep -v -- '-security' | head -n1 || true)
  fi
  [ -n "$uri" ] || { echo "install-nats-server: no Debian archive found in this machine's apt sources" >&2; exit 1; }
  echo "$uri"
}

install_channel() {
  local channel="$1" suite="$2"
  local out="$dest/$channel"
  if [ -x "$out/nats-server" ]; then
    echo "nats-server ($channel): $("$out/nats-server" --version) already at $out/nats-server"
    return
  fi
  local uri keyring state
  uri="$(debian_uri)"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  state="$(mktemp -d)"
  trap 'rm -rf "$state"' RETURN
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/preferences.d"
  echo "deb [signed-by=$keyring] $uri $suite main" > "$state/etc/sources.list"
  local opts=(
    -o "Dir::Etc::SourceList=$state/etc/sources.list"
    -o "Dir::Etc::SourceParts=-"
    -o "Dir::Etc::PreferencesParts=$state/etc/preferences.d"
    -o "Dir::State::Lists=$state/lists"
    -o "Dir::Cache=$state/cache"
    -o "Dir::State::status=/dev/null"
    -o "APT::Sandbox::User=root"
    -o "Debug::NoLocking=1"
  )
  echo "nats-server ($channel): fetching the package list of Debian $suite"
  apt-get "${opts[@]}" -qq update
  mkdir -p "$out"
  (cd "$state" && apt-get "${opts[@]}" -qq download nats-server)
  local deb
  deb=$(ls "$state"/nats-server_*.deb)
  dpkg -x "$deb" "$state/x"
  cp "$(find "$state/x" -type f -name nats-server -perm -u+x | head -n1)" "$out/nats-server"
  chmod +x "$out/nats-server"
  echo "nats-server ($channel): $("$out/nats-server" --version) installed at $out/nats-server"
}

have_server() {
  [ -n "${NATS_URL:-}" ] || [ -n "${NATS_SERVER_BIN:-}" ] || command -v nats-server >/dev/null 2>&1 ||
    compgen -G "$dest/*/nats-server" >/dev/null
}

case "$want" in
  --if-missing) have_server || install_channel unstable unstable ;;
  bookworm | trixie | unstable) install_channel "$want" "$want" ;;
  all)
    install_channel bookworm bookworm
    install_channel trixie trixie
    install_channel unstable unstable
    ;;
  *) echo "usage: $0 [bookworm|trixie|unstable|all|--if-missing]" >&2; exit 2 ;;
esac
