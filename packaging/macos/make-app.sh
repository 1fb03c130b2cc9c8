#!/bin/sh
# make-app.sh assembles awsxc.app from a darwin awsxc binary:
#
#   awsxc.app/Contents/Info.plist           from Info.plist, version filled in
#   awsxc.app/Contents/PkgInfo
#   awsxc.app/Contents/MacOS/awsxc          the binary
#   awsxc.app/Contents/Resources/awsxc.icns
#
# Usage: VERSION=1.2.3 packaging/macos/make-app.sh BINARY OUTDIR
#
# The tray needs cgo on macOS, so BINARY is built on a Mac (see
# packaging/README.md). The script itself runs anywhere with a POSIX shell;
# on a Mac it also signs the bundle, ad hoc unless CODESIGN_IDENTITY is set.
set -eu

usage() {
	echo "usage: VERSION=X.Y.Z $0 BINARY OUTDIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
bin=$1
out=$2
[ -f "$bin" ] || { echo "make-app.sh: error: $bin is not a file" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
version=${VERSION:-0.0.0-dev}
version=${version#v}
# CFBundleShortVersionString takes up to three numbers: 1.2.3-rc1 gives 1.2.3.
short=$(printf '%s\n' "$version" | sed -E 's/^([0-9]+(\.[0-9]+){0,2}).*/\1/')
case $short in
[0-9]*) ;;
*) echo "make-app.sh: error: VERSION=$version must start with a number" >&2; exit 1 ;;
esac

app=$out/awsxc.app
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp "$bin" "$app/Contents/MacOS/awsxc"
chmod 755 "$app/Contents/MacOS/awsxc"
cp "$here/awsxc.icns" "$app/Contents/Resources/awsxc.icns"
# The version only holds characters that need no escaping in XML or sed.
case $version in
*[!A-Za-z0-9.+~_-]*) echo "make-app.sh: error: VERSION=$version has unexpected characters" >&2; exit 1 ;;
esac
sed -e "s/@VERSION@/$version/g" -e "s/@SHORT_VERSION@/$short/g" \
	"$here/Info.plist" >"$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"

if command -v plutil >/dev/null 2>&1; then
	plutil -lint "$app/Contents/Info.plist" >/dev/null
fi
if command -v codesign >/dev/null 2>&1; then
	codesign --force --sign "${CODESIGN_IDENTITY:--}" "$app"
fi
echo "$app"
