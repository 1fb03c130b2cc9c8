#!/usr/bin/env bash
# screenshot.sh OUT.png: open the awsxc tray menu in a real panel and save
# a screenshot. It runs a private Xvfb, a private D-Bus session bus and
# xfce4-panel (whose Status Tray plugin is a StatusNotifierItem host),
# starts awsxc with a throwaway demo AWS config, clicks the icon and
# opens the Profiles submenu.
#
# Debian packages: xvfb dbus xfce4-panel imagemagick xdotool (and not
# dbus-x11). Nothing is written outside a temp folder and OUT.png.
set -euo pipefail

out=${1:?usage: $0 OUT.png}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
geometry=${GEOMETRY:-640x420x24}
width=${geometry%%x*}

for bin in Xvfb dbus-daemon dbus-send xfce4-panel import xdotool go; do
  command -v "$bin" >/dev/null || {
    echo "screenshot: $bin not found; apt-get install --no-install-recommends xvfb dbus xfce4-panel imagemagick xdotool" >&2
    exit 2
  }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/awsxc-shot.XXXXXX")
pids=()
cleanup() {
  local rc=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" = 0 ]; then rm -rf "$dir"; else echo "screenshot: logs kept in $dir" >&2; fi
}
trap cleanup EXIT

wait_for() { # TRIES CMD...: retry every 0.1 s
  local n=$1; shift
  until "$@"; do n=$((n - 1)); [ "$n" -gt 0 ] || return 1; sleep 0.1; done
}

# Build with the caller's environment (go keeps its cache under HOME).
(cd "$root" && go build -ldflags "-X main.version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)" -o "$dir/awsxc" ./cmd/awsxc)

# A demo user: profiles only, and a credential_process that hands out
# temporary credentials expiring in 42 minutes, so no AWS account is used.
home="$dir/home"
mkdir -p "$home/.aws" "$home/.config/awsxc" "$home/.config/xfce4/xfconf/xfce-perchannel-xml" "$dir/run"
chmod 700 "$dir/run"
cp "$root/scripts/testdata/xfce4-panel.xml" "$home/.config/xfce4/xfconf/xfce-perchannel-xml/"
cat >"$dir/demo-creds" <<'SH'
#!/bin/sh
printf '{"Version":1,"AccessKeyId":"ASIADEMOEXAMPLE00001","SecretAccessKey":"demo","SessionToken":"demo","Expiration":"%s"}\n' \
  "$(date -u -d '+42 min 30 sec' +%Y-%m-%dT%H:%M:%SZ)"
SH
chmod +x "$dir/demo-creds"
cat >"$home/.aws/config" <<CFG
[profile dev]
region = eu-west-1
credential_process = $dir/demo-creds
[profile prod]
region = us-east-1
credential_process = $dir/demo-creds
[profile sandbox]
region = eu-central-1
credential_process = $dir/demo-creds
CFG
cat >"$home/.config/awsxc/settings.json" <<'JSON'
{"profile": "dev", "imds": {"enabled": true, "addr": "127.0.0.1:0"}, "keep_refreshed": true}
JSON

# 1. X server.
Xvfb -displayfd 3 -screen 0 "$geometry" -nolisten tcp -noreset 3>"$dir/display" >"$dir/xvfb.log" 2>&1 &
pids+=($!)
wait_for 100 test -s "$dir/display" || { echo "screenshot: Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$dir/display")"

# 2. Session bus. xfconfd is bus-activated and inherits the daemon's
# environment, so the demo HOME goes to the daemon too.
HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_RUNTIME_DIR="$dir/run" \
  dbus-daemon --session --nofork --nopidfile --address="unix:path=$dir/bus" \
  --print-address=3 3>"$dir/bus.addr" >"$dir/dbus.log" 2>&1 &
pids+=($!)
wait_for 100 test -s "$dir/bus.addr" || { echo "screenshot: dbus-daemon did not start" >&2; exit 1; }
export DBUS_SESSION_BUS_ADDRESS
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$dir/bus.addr")
export NO_AT_BRIDGE=1
unset WAYLAND_DISPLAY SESSION_MANAGER

# 3. The panel.
HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_RUNTIME_DIR="$dir/run" \
  xfce4-panel --disable-wm-check >"$dir/panel.log" 2>&1 &
pids+=($!)
watcher_up() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.kde.StatusNotifierWatcher 2>/dev/null | grep -q 'boolean true'
}
wait_for 150 watcher_up || { echo "screenshot: the panel has no StatusNotifierWatcher" >&2; cat "$dir/panel.log" >&2; exit 1; }

# 4. awsxc, as the demo user.
env -i PATH="$PATH" DISPLAY="$DISPLAY" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" NO_AT_BRIDGE=1 \
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_RUNTIME_DIR="$dir/run" XDG_CACHE_HOME="$home/.cache" \
  AWS_EC2_METADATA_DISABLED=true "$dir/awsxc" >"$dir/awsxc.log" 2>&1 &
pids+=($!)

# Wait for the icon to be drawn: the pixel under it stops being the
# panel background.
x=$((width - 13)) y=15
bg=$(import -window root -crop 1x1+2+2 txt:- 2>/dev/null | tail -n1 | awk '{print $3}')
icon_up() {
  local px
  px=$(import -window root -crop 1x1+$x+$y txt:- 2>/dev/null | tail -n1 | awk '{print $3}')
  [ -n "$px" ] && [ "$px" != "$bg" ]
}
wait_for 100 icon_up || { echo "screenshot: no tray icon appeared" >&2; cat "$dir/awsxc.log" >&2; exit 1; }
sleep 0.5 # let awsxc fetch the demo credentials

# 5. Open the menu, then the Profiles submenu, and shoot.
xdotool mousemove "$x" "$y" click 1
sleep 0.7
# The Profiles item is the fourth row of the menu (y about 97 with this
# panel); PROFILES_Y= (empty) leaves the submenu closed.
PROFILES_Y=${PROFILES_Y-97}
if [ -n "$PROFILES_Y" ]; then
  xdotool mousemove "${PROFILES_X:-$((width - 200))}" "$PROFILES_Y"
  sleep 0.7
fi
mkdir -p "$(dirname "$out")"
import -window root "$out"
echo "screenshot: wrote $out" >&2
