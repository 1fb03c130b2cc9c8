#!/usr/bin/env bash
# package.sh builds the awsxc release artefacts into dist/ (repo root):
#
#   awsxc_<ver>_linux_<arch>.tar.gz    binaries, completions, man pages, icons
#   awsxc_<ver>_<arch>.deb             Debian/Ubuntu package   (amd64, arm64)
#   awsxc-<ver>-1.<arch>.rpm           Fedora/RHEL/SUSE package (x86_64, aarch64)
#   awsxc_<ver>_windows_<arch>.zip     awsxc.exe (no console) + awsxc-cli.exe, README.txt
#   SHA256SUMS                         sha256sum -c format, over all of the above
#
# Usage: packaging/package.sh            (make package sets VERSION)
#   VERSION  the version baked into the binaries (main.version). Default:
#            git describe --tags --always --dirty, or 0.0.0-dev. The package
#            version is derived from it (see the examples below).
#   DIST     output directory, default dist (test.sh uses a temp dir).
#
# Everything is built with CGO_ENABLED=0 (fyne.io/systray needs cgo only on
# macOS), so the arm64 and Windows cross-builds need no C toolchain. macOS is
# built on a Mac: see packaging/README.md and packaging/macos/make-app.sh.
#
# Needs: go, gzip, tar, zip. Nothing is written outside dist/ and a temp dir.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

die() {
	printf 'package.sh: error: %s\n' "$1" >&2
	shift
	for hint in "$@"; do
		printf 'package.sh: hint: %s\n' "$hint" >&2
	done
	exit 1
}
step() { printf 'package.sh: %s\n' "$*" >&2; }

# Pinned, run with "go run module@version" so it stays out of go.mod.
winres=github.com/tc-hib/go-winres@v0.3.3

if [[ -z "${VERSION:-}" ]]; then
	desc=$(git describe --tags --always --dirty 2>/dev/null || true)
	VERSION=${desc:-0.0.0-dev}
fi
# Package managers need a version that starts with a number, and rpm allows
# no "-" inside it. git describe output is mapped so it sorts right:
#   v1.2.3                  -> 1.2.3
#   v1.2.3-rc.1             -> 1.2.3-rc.1     (nfpm: 1.2.3~rc.1, before 1.2.3)
#   v1.2.3-4-gabc1234-dirty -> 1.2.3+4.gabc1234.dirty   (after 1.2.3)
#   abc1234-dirty (no tag)  -> 0.0.0-dev+abc1234.dirty
v=${VERSION#v}
if [[ $v =~ ^([0-9]+(\.[0-9]+)+)([-+~.0-9A-Za-z]*)$ ]]; then
	base=${BASH_REMATCH[1]} rest=${BASH_REMATCH[3]} build=
	if [[ $rest == *-dirty ]]; then
		rest=${rest%-dirty} build=dirty
	fi
	if [[ $rest =~ ^(.*)-([0-9]+)-g([0-9a-f]+)$ ]]; then
		rest=${BASH_REMATCH[1]} build=${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}${build:+.$build}
	fi
	rest=${rest//+/.} rest=${rest//\~/.}
	if [[ -n $rest ]]; then
		pre=${rest:1}
		rest=-${pre//-/.}
	fi
	pkgver=$base$rest${build:++$build}
elif [[ $v =~ ^[0-9A-Za-z.-]+$ ]]; then
	pkgver=0.0.0-dev+${v//-/.}
else
	die "VERSION=$VERSION has characters a package version cannot hold"
fi
# Windows version resources want four numbers: 1.2.3-rc1+x gives 1.2.3.0.
winver=$(printf '%s' "$pkgver" | sed -E 's/^([0-9]+(\.[0-9]+){0,2}).*/\1/')
while [[ $(tr -cd . <<<"$winver" | wc -c) -lt 3 ]]; do winver=$winver.0; done

# Reproducible archives: file times come from the last commit.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

for cmd in awsxc-cli awsxc; do
	if ! compgen -G "cmd/$cmd/*.go" >/dev/null; then
		die "cmd/$cmd does not exist yet, so there is nothing to package" \
			"the packages need both binaries, awsxc (tray) and awsxc-cli"
	fi
done

license=LICENSE
[[ -f $license ]] || license=packaging/LICENSE

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dist=${DIST:-dist}
mkdir -p "$dist"
dist=$(cd "$dist" && pwd)
rm -f "$dist"/awsxc[_-]* "$dist/SHA256SUMS"

ldflags="-s -w -X main.version=$VERSION"
export CGO_ENABLED=0

build() { # GOOS GOARCH OUT PKG [extra ldflags]
	step "build $1/$2 ${3##*/}"
	GOOS=$1 GOARCH=$2 go build -trimpath -ldflags "$ldflags ${5:-}" -o "$3" "$4"
}

# --- files made at package time (shared by all linux archs) -----------------
gen=$tmp/gen
mkdir -p "$gen"
hostarch=$(go env GOHOSTARCH)
for arch in amd64 arm64; do
	build linux "$arch" "$tmp/linux_$arch/awsxc-cli" ./cmd/awsxc-cli
	build linux "$arch" "$tmp/linux_$arch/awsxc" ./cmd/awsxc
done

hostcli=$tmp/linux_$hostarch/awsxc-cli
[[ $(go env GOHOSTOS) == linux && -x $hostcli ]] || die "package.sh runs on linux/amd64 or linux/arm64 only"
for sh in bash zsh fish; do
	case $sh in
	bash) out=awsxc-cli.bash ;;
	zsh) out=_awsxc-cli ;;
	fish) out=awsxc-cli.fish ;;
	esac
	if ! "$hostcli" completion "$sh" >"$gen/$out" 2>"$tmp/completion.err" || [[ ! -s $gen/$out ]]; then
		cat "$tmp/completion.err" >&2
		die "awsxc-cli completion $sh failed or printed nothing" \
			"the CLI must provide a 'completion SHELL' subcommand that prints the script to stdout"
	fi
done

for page in awsxc awsxc-cli; do
	sed "s/@VERSION@/$pkgver/g" "packaging/man/$page.1" | gzip -9n >"$gen/$page.1.gz"
done

cp "$license" "$gen/LICENSE"

# The binaries are statically linked: ship the licence and NOTICE files of
# every module compiled into them (Apache-2.0 and BSD ask for this), plus
# Go's own. Fail rather than ship a module without its licence.
{
	printf 'awsxc is built with Go and the following Go modules. Their licences follow.\n'
	printf '\n%s\n%s\n%s\n\n' "$(printf '=%.0s' {1..72})" "Go $(go env GOVERSION) (standard library and runtime)" "$(printf -- '-%.0s' {1..72})"
	cat "$(go env GOROOT)/LICENSE"
	for goos in linux windows; do
		GOOS=$goos go list -deps \
			-f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' \
			./cmd/awsxc ./cmd/awsxc-cli
	done | LC_ALL=C sort -u | while read -r mod ver dir; do
		files=$(find "$dir" -maxdepth 1 -type f -iregex '.*/\(licen[cs]e\|copying\|notice\)\(\.[a-z]*\)?' | LC_ALL=C sort)
		[[ -n $files ]] || die "module $mod $ver has no LICENSE file in $dir"
		for f in $files; do
			printf '\n%s\n%s\n%s\n\n' "$(printf '=%.0s' {1..72})" "$mod $ver: ${f##*/}" "$(printf -- '-%.0s' {1..72})"
			cat "$f"
		done
	done
} >"$gen/THIRD_PARTY_LICENSES"
gzip -9n <"$gen/THIRD_PARTY_LICENSES" >"$gen/THIRD_PARTY_LICENSES.gz"
copyright=$(grep -m1 -i '^copyright' "$license" | sed -E 's/^[Cc]opyright *(\([cC]\)|©)? *//')
{
	printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n'
	printf 'Upstream-Name: awsxc\nSource: https://github.com/awsxc/awsxc\n'
	printf 'Comment: The programs are statically linked with Go modules whose licences\n'
	printf ' are in /usr/share/doc/awsxc/THIRD_PARTY_LICENSES.gz.\n\n'
	printf 'Files: *\nCopyright: %s\nLicense: MIT\n' "$copyright"
	# DEP-5 license text: every line indented, blank lines written as " .".
	sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' "$license"
} >"$gen/copyright"

# --- linux: tarballs, .deb, .rpm --------------------------------------------
for arch in amd64 arm64; do
	name=awsxc_${pkgver}_linux_$arch
	stage=$tmp/$name
	mkdir -p "$stage/completions" "$stage/man" "$stage/icons"
	cp "$tmp/linux_$arch/awsxc" "$tmp/linux_$arch/awsxc-cli" "$gen/LICENSE" "$gen/THIRD_PARTY_LICENSES" "$stage/"
	cp "$gen/awsxc-cli.bash" "$gen/_awsxc-cli" "$gen/awsxc-cli.fish" "$stage/completions/"
	cp "$gen/awsxc.1.gz" "$gen/awsxc-cli.1.gz" "$stage/man/"
	cp packaging/linux/awsxc.desktop "$stage/"
	cp packaging/icons/awsxc.svg packaging/icons/awsxc-[0-9]*.png "$stage/icons/"
	step "tar $name.tar.gz"
	tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner \
		--mtime="@$SOURCE_DATE_EPOCH" -cf - "$name" | gzip -9n >"$dist/$name.tar.gz"

	for format in deb rpm; do
		step "nfpm $format $arch"
		ARCH=$arch VERSION=$pkgver \
			AWSXC_BIN=$tmp/linux_$arch/awsxc AWSXC_CLI_BIN=$tmp/linux_$arch/awsxc-cli AWSXC_GEN=$gen \
			go tool -modfile=tools/go.mod nfpm package -f packaging/nfpm.yaml -p "$format" --target "$dist/" >&2
	done
done

# --- windows: zip with both .exe files ----------------------------------------
# The version resource, the manifest and the icon go in as .syso files, which
# go build only picks up from the package directory. They are generated into
# a copy of the tree so the checkout never sees them. Go 1.21 and later need
# Windows 10 (or Server 2016): the manifest declares Windows 10 as the only
# supported OS ("minimum-os") and the version resource says so in Comments,
# which Explorer shows under Properties > Details.
src=$tmp/src
mkdir -p "$src"
tar -C "$root" --exclude=./.git --exclude=./dist --exclude=./bin -cf - . | tar -C "$src" -xf -
requires="Requires Windows 10 or later (or Windows Server 2016 or later)"
for cmd in awsxc awsxc-cli; do
	if [[ $cmd == awsxc ]]; then
		# What go-winres simply --manifest gui sets: crisp text on HiDPI
		# screens, themed controls.
		desc="awsxc system tray" dpi="per monitor v2" cc6=true
	else
		desc="awsxc command-line interface" dpi=system cc6=false
	fi
	step "go-winres $cmd"
	cp packaging/windows/awsxc.ico "$src/cmd/$cmd/"
	cat >"$src/cmd/$cmd/winres.json" <<-EOF
		{
		  "RT_GROUP_ICON": {"APP": {"0000": "awsxc.ico"}},
		  "RT_MANIFEST": {"#1": {"0409": {
		    "minimum-os": "win10",
		    "execution-level": "as invoker",
		    "dpi-awareness": "$dpi",
		    "use-common-controls-v6": $cc6
		  }}},
		  "RT_VERSION": {"#1": {"0000": {
		    "fixed": {"file_version": "$winver", "product_version": "$winver"},
		    "info": {"0409": {
		      "Comments": "$requires",
		      "FileDescription": "$desc",
		      "LegalCopyright": "Copyright (c) $copyright",
		      "OriginalFilename": "$cmd.exe",
		      "ProductName": "awsxc",
		      "ProductVersion": "$VERSION",
		      "FileVersion": "$winver"
		    }}
		  }}}
		}
	EOF
	(cd "$src/cmd/$cmd" && go run "$winres" make --in winres.json --arch amd64,arm64 --out rsrc)
done
# Text files for Windows get CRLF line ends: Notepad before Windows 10 1809
# shows a file with LF line ends as one line.
crlf() { sed -e 's/\r$//' -e 's/$/\r/' "$1" >"$2"; }
for arch in amd64 arm64; do
	name=awsxc_${pkgver}_windows_$arch
	mkdir -p "$tmp/$name"
	(cd "$src" &&
		build windows "$arch" "$tmp/$name/awsxc.exe" ./cmd/awsxc "-H windowsgui" &&
		build windows "$arch" "$tmp/$name/awsxc-cli.exe" ./cmd/awsxc-cli)
	crlf "$gen/LICENSE" "$tmp/$name/LICENSE.txt"
	crlf "$gen/THIRD_PARTY_LICENSES" "$tmp/$name/THIRD_PARTY_LICENSES.txt"
	sed "s/@VERSION@/$pkgver/g" packaging/windows/README.txt >"$tmp/readme.txt"
	crlf "$tmp/readme.txt" "$tmp/$name/README.txt"
	step "zip $name.zip"
	find "$tmp/$name" -exec touch -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$tmp" && zip -q -X -r "$dist/$name.zip" "$name")
done

# --- checksums ------------------------------------------------------------------
(cd "$dist" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort |
	xargs sha256sum >"$tmp/SHA256SUMS")
mv "$tmp/SHA256SUMS" "$dist/SHA256SUMS"
step "done: VERSION=$VERSION"
ls -l "$dist" >&2
