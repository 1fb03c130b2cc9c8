package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// The keys the credentials file editor manages in a profile's section.
// aws_security_token is the legacy name of aws_session_token, which
// botocore still reads; it is only ever removed.
const (
	keyAccessKeyID   = "aws_access_key_id"
	keySecretKey     = "aws_secret_access_key"
	keySessionToken  = "aws_session_token"
	keySecurityToken = "aws_security_token"
	keyExpiration    = "aws_credential_expiration"
)

func managedKey(key string) bool {
	switch key {
	case keyAccessKeyID, keySecretKey, keySessionToken, keySecurityToken, keyExpiration:
		return true
	}
	return false
}

// ErrInvalidProfileName is returned (wrapped) by [WriteCredentialsProfile]
// for a name that cannot be a section name.
var ErrInvalidProfileName = errors.New("invalid profile name")

// WriteOptions changes how [WriteCredentialsProfile] writes.
type WriteOptions struct {
	// Force overwrites a section that holds long-term keys (an
	// aws_access_key_id with no aws_session_token). Without it such a
	// section is left alone and an [*Error] of kind [ErrLongTermKeys] is
	// returned, so that an export never destroys a user's real keys.
	Force bool

	// LockDir is the folder for the lock file that keeps concurrent
	// writers (in this and other processes) from losing each other's
	// sections. It must be the same for every writer, and should be a
	// per-user folder out of the user's way (internal/rundir names one),
	// not ~/.aws: the lock file is never deleted. The file in it is named
	// from a hash of the credentials file's real path, so writers agree
	// however they name the file. Required.
	LockDir string
}

// ValidateProfileName reports whether name can be written as a section of
// the credentials file. It rejects an empty name, '[' or ']', '#' or ';'
// (a comment to the Go SDK), control characters (line breaks included),
// leading or trailing whitespace,
// invalid UTF-8 and "DEFAULT", which configparser (botocore) reads as
// defaults for every profile. Errors wrap [ErrInvalidProfileName].
func ValidateProfileName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidProfileName, name, why)
	}
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidProfileName)
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case strings.ContainsAny(name, "[]"):
		return bad("contains '[' or ']'")
	case strings.ContainsAny(name, "#;"):
		// The Go SDK cuts a header line at '#' or ';', so it would not see
		// the header and would read our keys into the section above.
		return bad("contains '#' or ';', which the Go SDK reads as a comment")
	case strings.ContainsFunc(name, isControl):
		return bad("contains a line break or control character")
	case strings.TrimFunc(name, pySpace) != name:
		return bad("leading or trailing whitespace")
	case name == "DEFAULT":
		return bad("botocore reads [DEFAULT] as defaults for every profile")
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// checkCredentialValue makes sure v survives a round trip through an INI
// line: one line, no surrounding whitespace (both parsers strip it).
func checkCredentialValue(key, v string) error {
	switch {
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not valid UTF-8", key)
	case strings.ContainsFunc(v, isControl):
		return fmt.Errorf("%s contains a line break or control character", key)
	case strings.TrimFunc(v, pySpace) != v:
		return fmt.Errorf("%s has leading or trailing whitespace", key)
	}
	return nil
}

// credentialLines returns the managed keys to write, in file order.
func credentialLines(c Credentials) ([][2]string, error) {
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return nil, errors.New("credentials lack an access key id or secret access key")
	}
	kv := [][2]string{{keyAccessKeyID, c.AccessKeyID}, {keySecretKey, c.SecretAccessKey}}
	if c.SessionToken != "" {
		kv = append(kv, [2]string{keySessionToken, c.SessionToken})
	}
	if c.CanExpire() {
		kv = append(kv, [2]string{keyExpiration, FormatTime(c.Expires)})
	}
	for _, p := range kv {
		if err := checkCredentialValue(p[0], p[1]); err != nil {
			return nil, err
		}
	}
	return kv, nil
}

// WriteCredentialsProfile writes c into section [name] of the shared
// credentials file at path ([Env.CredentialsFile]; a symlink is written
// through): aws_access_key_id, aws_secret_access_key, and
// aws_session_token and aws_credential_expiration when c has them. The
// config file is never touched.
//
// The file is edited line by line. Every byte outside the profile's
// section stays as it was (comments, blank lines, order, spacing, line
// endings, a missing final newline, a byte order mark). Inside it, keys
// awsxc does not manage stay where they are; a managed key is updated in
// place keeping its indentation and separator; a managed key that c lacks
// (an old token or expiration, the legacy aws_security_token) is removed;
// duplicates collapse to one. A missing section is appended at the end.
// Sections are found the way botocore finds them (see ini.go); a file
// that already holds the section more than once gets the keys in the
// first copy and loses the managed keys of the later ones, since the Go
// SDK merges such copies (later values win) and botocore refuses the file
// whatever awsxc does. A "[ name ]" header (botocore: the section
// " name ", Go SDK: "name") is treated as the same profile; when no exact
// "[name]" exists it becomes the target and its header is rewritten to
// "[name]" so that both SDKs agree.
//
// A section holding long-term keys is not overwritten unless opts.Force:
// the error is then an [*Error] for profile name, of kind
// [ErrLongTermKeys] with [ActionForce]. An invalid name wraps
// [ErrInvalidProfileName] (see [ValidateProfileName]).
//
// The read-modify-write runs under an exclusive lock in opts.LockDir
// (see [WriteOptions]), so concurrent writers, in this or other
// processes, never lose each other's sections, and the new content
// replaces the file atomically, keeping its owner, group and mode; a file
// the user could not write (a read-only one) is refused, a new file gets
// 0600 and missing folders 0700 (see fsutil.WriteFileAtomic). On error
// the file is unchanged. Errors are one line and hold no secret.
func WriteCredentialsProfile(path, name string, c Credentials, opts WriteOptions) error {
	if err := ValidateProfileName(name); err != nil {
		return err
	}
	kv, err := credentialLines(c)
	if err != nil {
		return fmt.Errorf("write profile %q: %w", name, err)
	}
	if path == "" {
		return fmt.Errorf("write profile %q: no credentials file (the home folder is unknown)", name)
	}
	err = writeCredentialsProfile(path, name, kv, opts)
	switch {
	case errors.Is(err, ErrLongTermKeys):
		return newError(name, ErrLongTermKeys,
			fmt.Errorf("aws_access_key_id without aws_session_token in %s", path), ActionForce)
	case err != nil:
		return fmt.Errorf("write profile %q to %s: %w", name, path, err)
	}
	return nil
}

func writeCredentialsProfile(path, name string, kv [][2]string, opts WriteOptions) error {
	if opts.LockDir == "" {
		return errors.New("no folder for the lock file")
	}
	path, err := fsutil.RealPath(path)
	if err != nil {
		return err
	}
	lock, err := fsutil.Lock(filepath.Join(opts.LockDir, credentialsLockName(path)))
	if err != nil {
		return err
	}
	defer lock.Unlock()

	var data []byte
	switch fi, err := os.Stat(path); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	default:
		if data, err = os.ReadFile(path); err != nil {
			return err
		}
	}
	out, err := editCredentials(data, name, kv, opts.Force)
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, out, 0o600)
}

// credentialsLockName is the lock file's name for the credentials file at
// realPath (see [fsutil.RealPath]): a hash, so that it fits in one folder
// whatever the path, and the same for every writer of the file.
func credentialsLockName(realPath string) string {
	sum := sha256.Sum256([]byte(realPath))
	return "credentials-" + hex.EncodeToString(sum[:16]) + ".lock"
}

// editCredentials returns data with kv written into section [name] as
// described at [WriteCredentialsProfile].
func editCredentials(data []byte, name string, kv [][2]string, force bool) ([]byte, error) {
	f := scanINI(data)

	// Every section either SDK reads as profile name: exact headers, and
	// padded ones ("[ name ]").
	target, rename := -1, false
	var occ []int
	for i, s := range f.sections {
		if s.name != name && strings.TrimFunc(s.name, pySpace) != name {
			continue
		}
		occ = append(occ, i)
		if s.name == name && (target < 0 || rename) {
			target, rename = i, false
		} else if target < 0 {
			target, rename = i, true
		}
	}

	if !force {
		var key, token bool
		for _, si := range occ {
			s := f.sections[si]
			for li := s.header + 1; li < s.end; li++ {
				if l := f.lines[li]; l.kind == iniOption {
					key = key || l.key == keyAccessKeyID && f.hasValue(l)
					// An empty token ("aws_session_token =") is no token:
					// the SDKs read such keys as long-term ones.
					token = token || (l.key == keySessionToken || l.key == keySecurityToken) && f.hasValue(l)
				}
			}
		}
		if key && !token {
			return nil, ErrLongTermKeys
		}
	}

	want := make(map[string]string, len(kv))
	for _, p := range kv {
		want[p[0]] = p[1]
	}
	written := make(map[string]bool, len(kv))

	// Pass 1: update, drop and dedupe managed keys in place.
	replace := make(map[int]string)
	drop := make(map[int]bool)
	if target >= 0 && rename {
		h := f.sections[target].header
		l := f.lines[h]
		text := string(f.text(h))
		open := l.indentEnd - l.start // the '['
		close := strings.LastIndexByte(text, ']')
		replace[h] = text[:open+1] + name + text[close:]
	}
	for _, si := range occ {
		s := f.sections[si]
		for li := s.header + 1; li < s.end; li++ {
			l := f.lines[li]
			if l.kind != iniOption || !managedKey(l.key) {
				continue
			}
			if v, ok := want[l.key]; ok && si == target && !written[l.key] {
				replace[li] = restyle(f, li, v)
				written[l.key] = true
			} else {
				drop[li] = true
			}
		}
		for li := s.header + 1; li < s.end; li++ {
			if l := f.lines[li]; l.kind == iniContinuation && (drop[l.owner] || replace[l.owner] != "") {
				drop[li] = true
			}
		}
	}
	out := data
	if len(replace) > 0 || len(drop) > 0 {
		out = make([]byte, 0, len(data)+256)
		out = append(out, data[:f.bom]...)
		for i, l := range f.lines {
			switch {
			case drop[i]:
			case replace[i] != "":
				out = append(out, replace[i]...)
				out = append(out, data[l.end:l.next]...)
			default:
				out = append(out, data[l.start:l.next]...)
			}
		}
		f = scanINI(out)
	}

	// Pass 2: add the keys the section lacks.
	var missing [][2]string
	for _, p := range kv {
		if !written[p[0]] {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	if target < 0 {
		return appendSection(f, name, missing), nil
	}
	return insertKeys(f, target, missing), nil
}

// restyle rewrites option line li to hold value v, keeping its
// indentation, key spelling, separator and the spacing around it.
func restyle(f *iniFile, li int, v string) string {
	l := f.lines[li]
	text := string(f.text(li))
	d := l.delim - l.start
	rest := text[d+1:]
	space := rest[:len(rest)-len(strings.TrimLeft(rest, " \t"))]
	if space == "" && d > 0 && (text[d-1] == ' ' || text[d-1] == '\t') {
		space = " "
	}
	return text[:d+1] + space + v
}

// appendSection adds "[name]" and kv at the end of the file, after a
// blank line when the file has content.
func appendSection(f *iniFile, name string, kv [][2]string) []byte {
	out := append([]byte(nil), f.data...)
	if n := len(f.lines); n > 0 {
		last := f.lines[n-1]
		if last.next == last.end {
			out = append(out, f.eol...)
		}
		if last.kind != iniBlank {
			out = append(out, f.eol...)
		}
	}
	out = append(out, '[')
	out = append(out, name...)
	out = append(out, ']')
	out = append(out, f.eol...)
	for _, p := range kv {
		out = appendKey(out, "", p, f.eol)
	}
	return out
}

// insertKeys adds kv to section si after its last non-blank, non-comment
// line, so that trailing comments stay with what follows them.
func insertKeys(f *iniFile, si int, kv [][2]string) []byte {
	s := f.sections[si]
	at := s.header
	for li := s.header + 1; li < s.end; li++ {
		if k := f.lines[li].kind; k != iniBlank && k != iniComment {
			at = li
		}
	}
	// The new lines must neither continue the value before them nor turn
	// the next line into a continuation of theirs: indent them like the
	// line that set configparser's indent level, or as deep as the next
	// line when that is deeper.
	indent := ""
	depth := 0
	if lv := f.lines[at].level; lv >= 0 {
		l := f.lines[lv]
		indent, depth = string(f.data[l.start:l.indentEnd]), l.indent
	}
	for li := at + 1; li < len(f.lines); li++ {
		l := f.lines[li]
		if l.kind == iniBlank || l.kind == iniComment {
			continue
		}
		if l.indent > depth {
			indent = string(f.data[l.start:l.indentEnd])
		}
		break
	}
	l := f.lines[at]
	out := make([]byte, 0, len(f.data)+256)
	out = append(out, f.data[:l.next]...)
	if l.next == l.end {
		out = append(out, f.eol...)
	}
	for _, p := range kv {
		out = appendKey(out, indent, p, f.eol)
	}
	return append(out, f.data[l.next:]...)
}

func appendKey(out []byte, indent string, p [2]string, eol string) []byte {
	out = append(out, indent...)
	out = append(out, p[0]...)
	out = append(out, " = "...)
	out = append(out, p[1]...)
	return append(out, eol...)
}

// hasValue reports whether an option line carries a value that every SDK
// reads as non-empty. The Go SDK cuts an inline comment that starts with
// whitespace and then # or ;, so "aws_session_token = ;x" is empty to it.
func (f *iniFile) hasValue(l iniLine) bool {
	return f.value(l) != ""
}
