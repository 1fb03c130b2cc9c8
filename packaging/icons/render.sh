#!/bin/sh
# Regenerates every rendered icon from the SVG sources. The outputs are
# committed, so packaging itself needs no renderer; run this only after
# editing awsxc.svg, awsxc-template.svg or the tray's state icons
# awsxc-expiring.svg and awsxc-failing.svg (awsxc.svg with a badge).
#
# Needs: rsvg-convert (librsvg2-bin), icotool (icoutils), png2icns (icnsutils).
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for s in 16 22 24 32 48 64 128 256; do
	rsvg-convert -w "$s" -h "$s" awsxc.svg -o "awsxc-$s.png"
done
# macOS menu bar: systray draws the image at 16x16 points, so 32 px serves
# Retina screens; 16 and 44 are there for other uses.
for s in 16 32 44; do
	rsvg-convert -w "$s" -h "$s" awsxc-template.svg -o "awsxc-template-$s.png"
done
for s in 20 512; do
	rsvg-convert -w "$s" -h "$s" awsxc.svg -o "$tmp/awsxc-$s.png"
done

# Windows executable icon (Explorer, taskbar, Start menu). The 256 px image
# is stored as PNG, as Windows Vista and later expect.
icotool -c -o ../windows/awsxc.ico awsxc-16.png awsxc-24.png awsxc-32.png \
	awsxc-48.png awsxc-64.png -r awsxc-256.png
# Windows notification-area icon: 16 px at 100 % scaling up to 32 px at 200 %.
icotool -c -o awsxc-tray.ico awsxc-16.png "$tmp/awsxc-20.png" awsxc-24.png awsxc-32.png
# The tray's state icons: a 32 px PNG (Linux, macOS) and a notification-area
# ICO (Windows) each.
for state in expiring failing; do
	for s in 16 20 24; do
		rsvg-convert -w "$s" -h "$s" "awsxc-$state.svg" -o "$tmp/awsxc-$state-$s.png"
	done
	rsvg-convert -w 32 -h 32 "awsxc-$state.svg" -o "awsxc-$state-32.png"
	icotool -c -o "awsxc-tray-$state.ico" "$tmp/awsxc-$state-16.png" "$tmp/awsxc-$state-20.png" \
		"$tmp/awsxc-$state-24.png" "awsxc-$state-32.png"
done
# macOS application bundle icon.
png2icns ../macos/awsxc.icns awsxc-16.png awsxc-32.png awsxc-48.png \
	awsxc-128.png awsxc-256.png "$tmp/awsxc-512.png" >/dev/null
