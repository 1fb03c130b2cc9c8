#!/usr/bin/env bash
# test.sh builds every package with package.sh into a temp dir and checks it:
# file lists against packaging/testdata, metadata, an install into a fresh
# dpkg root that runs both binaries, the Windows executables, the checksums,
# and the hand-written files (desktop entry, man pages, app bundle).
#
# Usage: packaging/test.sh   (make package-test). CI runs it; it exits 1 if
# any check fails and ends with "packaging: N passed, M failed".
#
# Needs (Debian): desktop-file-utils rpm groff-base man-db file zip unzip
# zsh fish (the last two to syntax-check the completions), plus go. Nothing is skipped: a missing tool is a failed check.
#
# To accept a change in the package contents, rewrite the expected lists:
#   UPDATE_TESTDATA=1 packaging/test.sh
set -uo pipefail
# dpkg wants ldconfig and start-stop-daemon on PATH, even for a --root install.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

version=9.8.7-test # distinctive, so --version output proves which build ran
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dist=$tmp/dist
passed=0
failed=0

# check NAME FUNC: runs FUNC, prints "ok" or "FAIL" and, on failure, FUNC's
# output indented.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		passed=$((passed + 1))
		printf 'ok    %s\n' "$name"
	else
		failed=$((failed + 1))
		printf 'FAIL  %s\n' "$name"
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/      /'
	fi
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "$t not found (see the apt packages at the top of test.sh)"; return 1; }
	done
}

# have_dist fails with a clear reason when package.sh did not produce dist.
have_dist() {
	[[ -f $dist/SHA256SUMS ]] || { echo "no packages to check: package.sh failed (see above)"; return 1; }
}

deb_files() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$' | LC_ALL=C sort; }
rpm_files() { rpm -qlp "$1" 2>/dev/null | LC_ALL=C sort; }
tar_files() { tar -tzf "$1" | grep -v '/$' | sed 's|^[^/]*/||' | LC_ALL=C sort; }

# compare_list NAME GOT_FILE LABEL: diff against packaging/testdata/NAME.
compare_list() {
	local want=packaging/testdata/$1
	if [[ -n ${UPDATE_TESTDATA:-} ]]; then
		cp "$2" "$want"
		echo "rewrote $want"
	fi
	diff -u --label "$want (want)" --label "$3 (got)" "$want" "$2"
}

# compare_each NAME WHAT LISTER GLOB ARCH...: for each ARCH, lists the files
# of the one artefact matching GLOB with LISTER and compares them with
# testdata/NAME (compare_list). In GLOB and WHAT, which names a missing
# artefact, @ stands for ARCH.
compare_each() {
	local name=$1 what=$2 lister=$3 glob=$4 arch f got rc=0
	shift 4
	for arch; do
		f=$(compgen -G "${glob//@/$arch}") || { echo "no ${what//@/$arch}"; return 1; }
		got=$tmp/${name%%-*}-$arch.txt
		"$lister" "$f" >"$got"
		compare_list "$name" "$got" "${f##*/}" || rc=1
	done
	return $rc
}

# --- checks that need no build ------------------------------------------------

t_desktop() {
	need desktop-file-validate || return 1
	local out
	out=$(desktop-file-validate packaging/linux/awsxc.desktop) || { echo "$out"; return 1; }
	# Hints are advice (Utility and Development are both main categories, on
	# purpose); errors and warnings fail.
	if grep -Ev ': hint: ' <<<"$out" | grep -q .; then
		echo "$out"
		return 1
	fi
}

t_man() {
	need groff man || return 1
	local page err rc=0
	for page in packaging/man/*.1; do
		err=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
		if [[ -n $err ]]; then
			echo "$page: groff warnings:"
			echo "$err"
			rc=1
		fi
		MANWIDTH=80 man -l "$page" >/dev/null 2>"$tmp/man.err" || { cat "$tmp/man.err"; rc=1; }
		[[ -s $tmp/man.err ]] && { echo "$page: man -l:"; cat "$tmp/man.err"; rc=1; }
	done
	return $rc
}

t_icons() {
	need file || return 1
	local s f rc=0
	for s in 16 22 24 32 48 64 128 256; do
		f=packaging/icons/awsxc-$s.png
		file "$f" | grep -q "PNG image data, $s x $s," || { echo "$f: $(file -b "$f"), want ${s}x$s PNG"; rc=1; }
	done
	for f in packaging/icons/awsxc.svg packaging/icons/awsxc-template.svg; do
		grep -q '<svg ' "$f" || { echo "$f is not SVG"; rc=1; }
	done
	file packaging/windows/awsxc.ico | grep -q 'MS Windows icon resource - 6 icons' ||
		{ echo "windows/awsxc.ico: $(file -b packaging/windows/awsxc.ico)"; rc=1; }
	file packaging/macos/awsxc.icns | grep -q 'Mac OS X icon' ||
		{ echo "macos/awsxc.icns: $(file -b packaging/macos/awsxc.icns)"; rc=1; }
	return $rc
}

t_app_bundle() {
	local out=$tmp/app plist
	mkdir -p "$out"
	printf 'stand-in for a darwin binary\n' >"$out/awsxc-darwin"
	VERSION=v$version packaging/macos/make-app.sh "$out/awsxc-darwin" "$out" >/dev/null || return 1
	plist=$out/awsxc.app/Contents/Info.plist
	local f
	for f in Contents/MacOS/awsxc Contents/Resources/awsxc.icns Contents/Info.plist Contents/PkgInfo; do
		[[ -f $out/awsxc.app/$f ]] || { echo "missing awsxc.app/$f"; return 1; }
	done
	[[ -x $out/awsxc.app/Contents/MacOS/awsxc ]] || { echo "Contents/MacOS/awsxc is not executable"; return 1; }
	if grep -n '@[A-Z_]*@' "$plist"; then echo "placeholders left in Info.plist"; return 1; fi
	grep -q "<string>awsxc $version</string>" "$plist" || { echo "full version missing"; return 1; }
	# CFBundleShortVersionString: numbers only.
	grep -A1 CFBundleShortVersionString "$plist" | grep -q '<string>9.8.7</string>' || { echo "short version wrong"; return 1; }
	grep -A1 LSUIElement "$plist" | grep -q '<true/>' || { echo "LSUIElement is not true"; return 1; }
	# Well-formed XML, when a checker is at hand.
	if command -v xmllint >/dev/null; then xmllint --noout "$plist" || return 1; fi
}

check "desktop entry passes desktop-file-validate" t_desktop
check "man pages render without groff warnings" t_man
check "icons have the expected sizes and formats" t_icons
check "make-app.sh assembles awsxc.app from a stand-in binary" t_app_bundle

# --- build ------------------------------------------------------------------------

t_package() {
	need go gzip tar zip || return 1
	VERSION=$version DIST=$dist packaging/package.sh
}
start=$(date +%s)
check "package.sh builds every artefact (VERSION=$version)" t_package
echo "      (package.sh took $(($(date +%s) - start)) s)"

# --- checks on the built artefacts ---------------------------------------------

t_deb_files() {
	have_dist && need dpkg-deb || return 1
	compare_each deb-files.txt "@ .deb" deb_files "$dist/awsxc_*_@.deb" amd64 arm64
}

t_rpm_files() {
	have_dist && need rpm || return 1
	compare_each rpm-files.txt "@ .rpm" rpm_files "$dist/awsxc-*.@.rpm" x86_64 aarch64
}

t_metadata() {
	have_dist && need dpkg-deb rpm || return 1
	local deb rpmf got want
	deb=$(compgen -G "$dist/awsxc_*_amd64.deb") || return 1
	rpmf=$(compgen -G "$dist/awsxc-*.x86_64.rpm") || return 1
	got=$(dpkg-deb -f "$deb" Package Version Architecture Maintainer Homepage Recommends Suggests)
	want="Package: awsxc
Version: $version
Architecture: amd64
Maintainer: awsxc developers
Homepage: https://github.com/awsxc/awsxc
Recommends: xclip | xsel | wl-clipboard
Suggests: gnome-shell-extension-appindicator"
	# nfpm writes a semver prerelease with "~" so that it sorts before the release.
	want=${want/Version: 9.8.7-test/Version: 9.8.7~test}
	diff -u <(echo "$want") <(echo "$got") || return 1
	got=$(rpm -qp --qf '%{NAME} %{VERSION} %{ARCH} %{LICENSE} %{URL}\n' "$rpmf" 2>/dev/null)
	want="awsxc 9.8.7~test x86_64 MIT https://github.com/awsxc/awsxc"
	diff -u <(echo "$want") <(echo "$got") || return 1
	got=$(rpm -qp --recommends --suggests "$rpmf" 2>/dev/null)
	want="(xclip or xsel or wl-clipboard)
gnome-shell-extension-appindicator"
	diff -u <(echo "$want") <(echo "$got")
}

t_install() {
	have_dist && need dpkg zsh fish || return 1
	local deb r=$tmp/root out
	deb=$(compgen -G "$dist/awsxc_*_amd64.deb") || return 1
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/lib/dpkg/triggers"
	touch "$r/var/lib/dpkg/status" "$r/var/lib/dpkg/available"
	dpkg --root="$r" --force-not-root --log=/dev/null -i "$deb" >/dev/null || return 1
	# Both binaries must print the version without a display or D-Bus session.
	for bin in awsxc-cli awsxc; do
		out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
			timeout 10 "$r/usr/bin/$bin" --version 2>&1) || { echo "$bin --version: $out"; return 1; }
		grep -qF "$version" <<<"$out" || { echo "$bin --version printed '$out', want $version in it"; return 1; }
	done
	bash -n "$r/usr/share/bash-completion/completions/awsxc-cli" || { echo "bash completion has syntax errors"; return 1; }
	zsh -n "$r/usr/share/zsh/vendor-completions/_awsxc-cli" || { echo "zsh completion has syntax errors"; return 1; }
	fish --no-execute "$r/usr/share/fish/vendor_completions.d/awsxc-cli.fish" || { echo "fish completion has syntax errors"; return 1; }
	MANWIDTH=80 man -l "$r/usr/share/man/man1/awsxc-cli.1.gz" | grep -F "awsxc $version" >/dev/null ||
		{ echo "installed man page lacks the version"; return 1; }
	desktop-file-validate "$r/usr/share/applications/awsxc.desktop" | grep -v ': hint: ' | grep . && return 1
	dpkg --root="$r" --force-not-root --log=/dev/null -r awsxc >/dev/null || return 1
	out=$(find "$r/usr" -type f 2>/dev/null)
	[[ -z $out ]] || { echo "files left after removal:"; echo "$out"; return 1; }
}

t_windows() {
	have_dist && need unzip file || return 1
	local arch zip dir exe rc=0
	for arch in amd64 arm64; do
		zip=$(compgen -G "$dist/awsxc_*_windows_$arch.zip") || { echo "no windows $arch zip"; return 1; }
		dir=$tmp/win-$arch
		mkdir -p "$dir"
		unzip -q "$zip" -d "$dir" || return 1
		diff -u <(printf '%s\n' LICENSE.txt README.txt THIRD_PARTY_LICENSES.txt awsxc-cli.exe awsxc.exe) \
			<(cd "$dir"/*/ && find . -type f -printf '%f\n' | LC_ALL=C sort) || rc=1
		file "$dir"/*/awsxc.exe | grep -q '(GUI)' || { echo "$arch awsxc.exe: $(file -b "$dir"/*/awsxc.exe), want GUI"; rc=1; }
		file "$dir"/*/awsxc-cli.exe | grep -q '(console)' || { echo "$arch awsxc-cli.exe: $(file -b "$dir"/*/awsxc-cli.exe), want console"; rc=1; }
		# The version resource holds UTF-16 strings; dropping the NUL bytes makes
		# "ProductVersion" and its value adjacent.
		# Go 1.21 and later need Windows 10: the manifest lists it as the only
		# supported OS (its GUID, and not Windows 7's, 8's or 8.1's), and the
		# version resource's Comments say so.
		for exe in awsxc.exe awsxc-cli.exe; do
			LC_ALL=C tr -d '\0' <"$dir"/*/"$exe" >"$dir/$exe.strings"
			grep -aF "ProductVersion$version" "$dir/$exe.strings" >/dev/null ||
				{ echo "$arch $exe: no version resource with $version"; rc=1; }
			grep -aF "CommentsRequires Windows 10 or later" "$dir/$exe.strings" >/dev/null ||
				{ echo "$arch $exe: the version resource does not say it requires Windows 10"; rc=1; }
			grep -aF '<supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>' "$dir/$exe.strings" >/dev/null ||
				{ echo "$arch $exe: the manifest does not declare Windows 10"; rc=1; }
			if grep -aEi '\{(35138b9a-5d96-4fbd-8e2d-a2440225f93a|4a2f28e3-53b9-4441-ba9c-d69d4a4a6e38|1f676c76-80e1-4239-95bb-83d0f6d0da78)\}' "$dir/$exe.strings" >/dev/null; then
				echo "$arch $exe: the manifest declares a Windows older than 10"
				rc=1
			fi
		done
		# The text files have CRLF line ends for Notepad, and no line without.
		for txt in LICENSE.txt README.txt THIRD_PARTY_LICENSES.txt; do
			if LC_ALL=C grep -qv $'\r$' "$dir"/*/"$txt"; then
				echo "$arch $txt: a line without CRLF"
				rc=1
			fi
		done
		grep -q "^awsxc $version for Windows"$'\r$' "$dir"/*/README.txt ||
			{ echo "$arch README.txt: no title with version $version"; rc=1; }
		grep -q "Windows 10 or later" "$dir"/*/README.txt ||
			{ echo "$arch README.txt: does not say it requires Windows 10"; rc=1; }
	done
	return $rc
}

t_tarballs() {
	have_dist || return 1
	compare_each tar-files.txt "linux @ tarball" tar_files "$dist/awsxc_*_linux_@.tar.gz" amd64 arm64
}

t_sums() {
	have_dist || return 1
	(cd "$dist" && sha256sum -c --strict --quiet SHA256SUMS) || return 1
	diff -u <(cd "$dist" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort) \
		<(awk '{print $2}' "$dist/SHA256SUMS" | LC_ALL=C sort)
}

check "deb file lists (amd64, arm64) match testdata/deb-files.txt" t_deb_files
check "rpm file lists (x86_64, aarch64) match testdata/rpm-files.txt" t_rpm_files
check "package metadata (name, version, recommends, suggests)" t_metadata
check "amd64 .deb installs into a fresh dpkg root; --version runs; completions parse" t_install
check "windows zips: GUI awsxc.exe, console awsxc-cli.exe, version resources, Windows 10 manifests, CRLF text files" t_windows
check "linux tarballs match testdata/tar-files.txt" t_tarballs
check "SHA256SUMS covers dist/ and verifies with sha256sum -c" t_sums

if have_dist >/dev/null; then
	echo "      sizes:"
	find "$dist" -maxdepth 1 -type f -printf '        %9s  %f\n' | LC_ALL=C sort -k2
fi
echo "packaging: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
