#!/usr/bin/env bash
# make deps: installs what the integration tests use (with "bench": what
# make bench uses too), when it is missing: Debian packages
# (the AWS CLI v2 and botocore as real clients, D-Bus and Xvfb for the tray,
# rpm and desktop-file-utils for packaging, shells for quoting tests,
# iproute2 and util-linux for the network-namespace tests, strace to see
# what a CLI run through the daemon opens, PyYAML to read
# the Compose fragments back, Wine and the mingw-w64 C compiler for make
# wine) and the Go modules. npm modules are installed by test/e2e/run.sh.
# Idempotent; installs only as root (or with sudo); otherwise it says what
# is missing and the tests that need it skip (they fail under CI=true).
set -euo pipefail

pkgs=(awscli python3-botocore dbus xvfb xauth xclip xsel fish zsh rpm desktop-file-utils groff-base man-db file zip unzip curl iproute2 util-linux python3-yaml wine wine64 gcc-mingw-w64-x86-64 strace)
# make bench also times and loads with these.
[ "${1:-}" = bench ] && pkgs+=(hyperfine wrk jq)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; else
      echo "deps: missing Debian packages (run as root to install): ${missing[*]}" >&2
      [ -n "${CI:-}" ] && exit 1
      missing=()
    fi
  fi
  if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# The product's modules, and the build tools' (nfpm, staticcheck: tools/go.mod).
go mod download
go mod download -modfile=tools/go.mod
