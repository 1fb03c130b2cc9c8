package engine

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/config"
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
	// aws_account_id is read by the SDKs for account-based endpoints;
	// one left from another identity is removed.
	keyAccountID = "aws_account_id"
)

func managedKey(key string) bool {
	switch key {
	case keyAccessKeyID, keySecretKey, keySessionToken, keySecurityToken, keyExpiration, keyAccountID:
		return true
	}
	return false
}

var (
	// ErrInvalidProfileName is returned (wrapped) by
	// [WriteCredentialsProfile] for a name that cannot be a section name.
	ErrInvalidProfileName = errors.New("invalid profile name")
	// ErrNotReadBack is returned (wrapped) by [WriteCredentialsProfile]
	// when the Go SDK, reading the new content, would not read the profile
	// as written (a byte order mark right before its header, lone CR line
	// endings, a later line the SDK reads as part of the profile, ...).
	// The file is left as it was.
	ErrNotReadBack = errors.New("the Go SDK would not read back the profile written")
)

// maxCredentialsFileSize bounds the credentials file the writer reads: a
// FIFO or /dev/zero named as the file must not hang or grow the process,
// and no real credentials file comes near it.
const maxCredentialsFileSize = 16 << 20

// WriteResult is what a successful [WriteCredentialsProfile] reports.
type WriteResult struct {
	// Path is the file replaced: the credentials file with every symlink
	// resolved.
	Path string
	// Warnings are what the user should know about the file: the profile
	// was written and the Go SDK reads it back, but another tool may read
	// the file differently. Front ends show each as one line
	// ([WriteWarning.String]).
	Warnings []WriteWarning
}

// WarningKind says what a [WriteWarning] is about.
type WarningKind uint8

const (
	// WarnDuplicateSection: the file holds [name] more than once. The
	// profile is written into the first copy and the managed keys of the
	// others are removed (the Go SDK merges the copies, later values
	// winning), but botocore, and so the AWS CLI, refuses the whole file
	// until the copies are merged by hand.
	WarnDuplicateSection WarningKind = iota + 1
	// WarnAliasSection: a line of the file that the Go SDK reads as a
	// header of the profile while botocore does not: "[ name ]", which
	// botocore, the AWS CLI and the JS SDK read as profile " name " (and
	// which the writer leaves alone), or an indented "[name]" that
	// botocore reads as part of a value. The Go SDK merges what follows
	// it into the profile.
	WarnAliasSection
	// WarnByteOrderMark: the file starts with a UTF-8 byte order mark,
	// which botocore cannot parse: the AWS CLI refuses the whole file.
	WarnByteOrderMark
)

// WriteWarning is one thing about the credentials file that a successful
// [WriteCredentialsProfile] reports.
type WriteWarning struct {
	Kind WarningKind
	// Section is the profile's section name, as between the brackets.
	Section string
	// Count is how many times the file holds [Section]
	// (WarnDuplicateSection).
	Count int
	// Line is the line number, from 1, and Text the line, trimmed, that
	// the Go SDK reads as a header of Section (WarnAliasSection).
	Line int
	Text string
}

// String words the warning as one line with no control characters.
func (w WriteWarning) String() string {
	switch w.Kind {
	case WarnDuplicateSection:
		n := "twice"
		if w.Count > 2 {
			n = strconv.Itoa(w.Count) + " times"
		}
		return fmt.Sprintf("credentials file has [%s] %s; the AWS CLI refuses such a file", w.Section, n)
	case WarnAliasSection:
		return fmt.Sprintf("credentials file line %d, %s, is a header of profile %q to the Go SDK but not to the AWS CLI",
			w.Line, quoteLine(w.Text), w.Section)
	case WarnByteOrderMark:
		return "credentials file starts with a byte order mark, which the AWS CLI cannot read"
	}
	return fmt.Sprintf("credentials file: warning %d about [%s]", w.Kind, w.Section)
}

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
// leading or trailing whitespace, invalid UTF-8, "DEFAULT", which
// configparser (botocore) reads as defaults for every profile, and names
// the Go SDK would not find in the credentials file: more than one space
// between the first two words (it reads them as one) and "profile …" (it
// ignores such sections there). Errors wrap [ErrInvalidProfileName].
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
	if n, _ := goSection([]byte("[" + name + "]")); n != name {
		return bad(fmt.Sprintf("the Go SDK reads it as %q", n))
	}
	if strings.HasPrefix(name, "profile ") {
		return bad(`the Go SDK ignores credentials file sections named "profile …"`)
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
	if c.AccountID != "" {
		kv = append(kv, [2]string{keyAccountID, c.AccountID})
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
// aws_session_token, aws_credential_expiration and aws_account_id when c
// has them (an aws_account_id left from other credentials is removed, so
// account-based endpoints never pair another account with these). The
// config file is never touched.
//
// The file is edited line by line. Every byte outside the managed keys of
// the profile's section stays as it was (headers, comments, blank lines,
// order, spacing, line endings, a missing final newline, a byte order
// mark). Inside it, keys awsxc does not manage stay where they are; a
// managed key is updated in place keeping its indentation and separator;
// a managed key that c lacks (an old token or expiration, the legacy
// aws_security_token) is removed; duplicates collapse to one. A missing
// section is appended at the end.
//
// The section is found the way botocore finds it (see ini.go): its header
// names exactly name between the brackets. "[ name ]" is another profile
// to botocore, the AWS CLI and the JS SDK (" name "), so it is left alone
// and, when it is the only one, [name] is appended; the Go SDK, which
// trims the header, then merges the two (later values winning), which a
// [WarnAliasSection] warning says. A file that holds [name] more than once
// gets the keys in the first copy and loses the managed keys of the later
// ones, since the Go SDK merges such copies and botocore refuses the file
// whatever awsxc does ([WarnDuplicateSection]).
//
// Before the file is replaced, the Go SDK reads the new content (that
// file alone, no config file): unless it reads profile name with exactly
// the keys, token and account id written, and awsxc's own reader the expiration, the
// file is left as it was and the error wraps [ErrNotReadBack].
//
// A section holding long-term keys is not overwritten unless opts.Force:
// the error is then an [*Error] for profile name, of kind
// [ErrLongTermKeys] with [ActionForce]. An invalid name wraps
// [ErrInvalidProfileName] (see [ValidateProfileName]). A credentials file
// that is not a regular file, or is larger than 16 MiB, is refused.
//
// The read-modify-write runs under an exclusive lock in opts.LockDir
// (see [WriteOptions]), so concurrent writers, in this or other
// processes, never lose each other's sections, and the new content
// replaces the file atomically, keeping its owner and group and
// narrowing its mode to at most 0600 (it is given fresh secrets: a 0644
// file becomes 0600); a file the user could not write (a read-only one)
// is refused, a new file gets 0600 and missing folders 0700 (see
// fsutil.WriteFileAtomic). On error
// the file is unchanged. Errors are one line and hold no secret.
func WriteCredentialsProfile(path, name string, c Credentials, opts WriteOptions) (WriteResult, error) {
	if err := ValidateProfileName(name); err != nil {
		return WriteResult{}, err
	}
	kv, err := credentialLines(c)
	if err != nil {
		return WriteResult{}, fmt.Errorf("write profile %q: %w", name, err)
	}
	if path == "" {
		return WriteResult{}, fmt.Errorf("write profile %q: no credentials file (the home folder is unknown)", name)
	}
	res, err := writeCredentialsProfile(path, name, kv, opts)
	switch {
	case errors.Is(err, ErrLongTermKeys):
		return WriteResult{}, newError(name, ErrLongTermKeys,
			fsutil.WithPaths(fmt.Errorf("aws_access_key_id without aws_session_token in %s", path), path), ActionForce)
	case err != nil:
		return WriteResult{}, fsutil.WithPaths(fmt.Errorf("write profile %q to %s: %w", name, path, err), path)
	}
	return res, nil
}

func writeCredentialsProfile(path, name string, kv [][2]string, opts WriteOptions) (WriteResult, error) {
	if opts.LockDir == "" {
		return WriteResult{}, errors.New("no folder for the lock file")
	}
	path, err := fsutil.RealPath(path)
	if err != nil {
		return WriteResult{}, err
	}
	lock, err := fsutil.Lock(filepath.Join(opts.LockDir, credentialsLockName(path)))
	if err != nil {
		return WriteResult{}, err
	}
	defer lock.Unlock()

	data, err := fsutil.ReadRegular(path, maxCredentialsFileSize)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return WriteResult{}, err
	}
	out, warnings, err := editCredentials(data, name, kv, opts.Force)
	if err != nil {
		return WriteResult{}, err
	}
	if err := readBack(opts.LockDir, verifyPrefix(path), data, out, name, kv); err != nil {
		return WriteResult{}, err
	}
	if err := fsutil.WriteFileAtomic(path, out, 0o600); err != nil {
		return WriteResult{}, err
	}
	return WriteResult{Path: path, Warnings: warnings}, nil
}

// credentialsLockName is the lock file's name for the credentials file at
// realPath (see [fsutil.RealPath]): a hash, so that it fits in one folder
// whatever the path, and the same for every writer of the file.
func credentialsLockName(realPath string) string {
	sum := sha256.Sum256([]byte(realPath))
	return "credentials-" + hex.EncodeToString(sum[:16]) + ".lock"
}

// verifyPrefix is the start of the names of readBack's temporary files
// for the credentials file at realPath: its lock's hash, so that the
// holder of the lock knows every such file is its own or a dead
// writer's.
func verifyPrefix(realPath string) string {
	sum := sha256.Sum256([]byte(realPath))
	return "verify-" + hex.EncodeToString(sum[:16]) + "-"
}

// readBack checks that the Go SDK, reading data (the edit of old) as the
// only credentials file and no config file, reads profile name with
// exactly the keys and token of kv, and that awsxc's own reader of
// aws_credential_expiration (which the SDK ignores) reads kv's. The SDK
// reads files only, so data goes to a temporary file in dir (the lock
// folder: per user, 0700), named prefix-*.tmp, which is removed at once.
// A writer killed before it could remove its copy (a copy of the whole
// credentials file) leaves one behind: the next writer of the same file,
// holding its lock, removes every such copy first. The error names the
// cause in old's lines when it is a known one.
func readBack(dir, prefix string, old, data []byte, name string, kv [][2]string) error {
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if n := e.Name(); strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".tmp") && e.Type().IsRegular() {
				os.Remove(filepath.Join(dir, n))
			}
		}
	}
	f, err := os.CreateTemp(dir, prefix+"*.tmp")
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if n := goSDKCrashLine(data); n > 0 {
		f.Close()
		return sdkCrashError("the credentials file", n)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	sc, err := config.LoadSharedConfigProfile(context.Background(), name, func(o *config.LoadSharedConfigOptions) {
		o.CredentialsFiles = []string{tmp}
		o.ConfigFiles = []string{}
	})
	want := make(map[string]string, len(kv))
	for _, p := range kv {
		want[p[0]] = p[1]
	}
	var differs string
	var notFound config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &notFound):
		differs = "it finds no such profile"
	case err != nil:
		msg := strings.ReplaceAll(err.Error(), tmp, "the file")
		differs = "it cannot read the profile: " + strings.Join(strings.Fields(msg), " ")
	default:
		differs = misread("it", keyAccessKeyID, sc.Credentials.AccessKeyID, want)
		differs = cmp.Or(differs, misread("it", keySecretKey, sc.Credentials.SecretAccessKey, want))
		differs = cmp.Or(differs, misread("it", keySessionToken, sc.Credentials.SessionToken, want))
		differs = cmp.Or(differs, misread("it", keyAccountID, sc.Credentials.AccountID, want))
		v, _ := profileValue(data, false, name, keyExpiration)
		differs = cmp.Or(differs, misread("awsxc", keyExpiration, v, want))
	}
	if differs == "" {
		return nil
	}
	return fmt.Errorf("%w (%s)%s; the file is unchanged", ErrNotReadBack, differs, misreadCause(old, name))
}

// misread says how who reads key as got instead of want[key], or "".
func misread(who, key, got string, want map[string]string) string {
	switch {
	case got == want[key]:
		return ""
	case got == "":
		return who + " reads no " + key
	case want[key] == "":
		return who + " reads an " + key + " not written"
	}
	return who + " reads another " + key
}

// misreadCause names, for an error, a known reason why the Go SDK
// misreads profile name in data, or returns "". The SDK splits lines at
// "\n" only, takes no byte order mark, cuts header lines at '#' or ';',
// wants them to end in ']', and tries every line as a header first (see
// goSection).
func misreadCause(data []byte, name string) string {
	f := scanINI(data)
	for i, l := range f.lines {
		if l.kind == iniHeader && l.name == name {
			if i == 0 && f.bom > 0 {
				return ": the byte order mark at the start of the file hides [" + name + "] from it"
			}
			if n, ok := goSection(f.text(i)); !ok || n != name {
				return fmt.Sprintf(": it does not read line %d as the header of [%s]", i+1, name)
			}
		}
	}
	for _, l := range f.lines {
		if l.next == l.end+1 && f.data[l.end] == '\r' {
			return ": it does not take a lone carriage return for a line break"
		}
	}
	for _, w := range aliasWarnings(f, name) {
		return fmt.Sprintf(": it reads line %d, %s, as a header of the profile too", w.Line, quoteLine(w.Text))
	}
	for i, l := range f.lines {
		n, ok := goSection(f.text(i))
		switch {
		case l.kind == iniHeader && !ok:
			return fmt.Sprintf(": it does not read line %d, %s, as a header", i+1, quoteLine(f.text(i)))
		case l.kind != iniHeader && ok:
			return fmt.Sprintf(": it reads line %d, %s, as the header of [%s]", i+1, quoteLine(f.text(i)), n)
		}
	}
	return ""
}

// quoteLine quotes a header-like line for a message: trimmed, shortened,
// control characters escaped.
func quoteLine[T string | []byte](line T) string {
	s := strings.TrimFunc(string(line), pySpace)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.QuoteToGraphic(s)
}

// aliasWarnings lists the lines that the Go SDK reads as a header of
// profile name and botocore does not (see [WarnAliasSection]).
func aliasWarnings(f *iniFile, name string) []WriteWarning {
	var ws []WriteWarning
	for i, l := range f.lines {
		if l.kind == iniHeader && l.name == name {
			continue
		}
		if n, ok := goSection(f.text(i)); ok && n == name {
			text := strings.TrimFunc(string(f.text(i)), pySpace)
			ws = append(ws, WriteWarning{Kind: WarnAliasSection, Section: name, Line: i + 1, Text: text})
		}
	}
	return ws
}

// editCredentials returns data with kv written into section [name] as
// described at [WriteCredentialsProfile], and the warnings about data.
func editCredentials(data []byte, name string, kv [][2]string, force bool) ([]byte, []WriteWarning, error) {
	f := scanINI(data)

	// The profile's sections by botocore's rule: exactly name between the
	// brackets. Lines the Go SDK alone reads as its headers are warned
	// about and left alone.
	var occ []int
	for i, s := range f.sections {
		if s.name == name {
			occ = append(occ, i)
		}
	}
	var warnings []WriteWarning
	if f.bom > 0 {
		warnings = append(warnings, WriteWarning{Kind: WarnByteOrderMark})
	}
	if len(occ) > 1 {
		warnings = append(warnings, WriteWarning{Kind: WarnDuplicateSection, Section: name, Count: len(occ)})
	}
	warnings = append(warnings, aliasWarnings(f, name)...)

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
			return nil, nil, ErrLongTermKeys
		}
	}

	want := make(map[string]string, len(kv))
	for _, p := range kv {
		want[p[0]] = p[1]
	}
	written := make(map[string]bool, len(kv))
	target := -1
	if len(occ) > 0 {
		target = occ[0]
	}

	// Pass 1: update, drop and dedupe managed keys in place.
	replace := make(map[int]string)
	drop := make(map[int]bool)
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
		return out, warnings, nil
	}
	if target < 0 {
		return appendSection(f, name, missing), warnings, nil
	}
	return insertKeys(f, target, missing), warnings, nil
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
// blank line when the file has content. A file that holds only a byte
// order mark gets a line break first: the Go SDK does not see a header
// right after the mark.
func appendSection(f *iniFile, name string, kv [][2]string) []byte {
	out := append([]byte(nil), f.data...)
	if len(f.lines) == 0 && f.bom > 0 {
		out = append(out, f.eol...)
	}
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
	next := 0 // the indentation of the next line that counts
	for li := at + 1; li < len(f.lines); li++ {
		l := f.lines[li]
		if l.kind == iniBlank || l.kind == iniComment {
			continue
		}
		next = l.indent
		if l.indent > depth {
			indent = string(f.data[l.start:l.indentEnd])
		}
		break
	}
	// Indented after "key =" with an empty value, the Go SDK would read
	// the new keys as entries of a nested map under that key. Unindented
	// they are keys to it; configparser agrees when the next line is not
	// indented either.
	if indent != "" && (indent[0] == ' ' || indent[0] == '\t') && next == 0 && goOpenEmptyKey(f, s.header+1, at+1) {
		indent = ""
	}
	// configparser counts indentation in characters; the Go SDK strips
	// only what unicode.IsSpace calls a space and would read U+001C..1F
	// as part of the key.
	indent = strings.Map(func(r rune) rune {
		if !unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, indent)
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
