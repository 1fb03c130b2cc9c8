package engine

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file holds the part of the IAM Identity Center sync that touches
// the config file: the block of profiles a sync writes between two marker
// comments, how it is found, checked, parsed, rendered and put back.
// Nothing here touches the network or the disk.
//
// A block looks like this (the file's own line endings):
//
//	# BEGIN awsxc sso sync: my-sso
//	# The profiles of every account and role sso-session my-sso can use,
//	# ...
//
//	# account: Production (111122223333)
//	[profile Production.AdministratorAccess]
//	sso_session = my-sso
//	sso_account_id = 111122223333
//	sso_role_name = AdministratorAccess
//	region = eu-west-1
//
//	# END awsxc sso sync: my-sso, checksum 0f1e2d3c4b5a69788796a5b4c3d2e1f0
//
// Why it is safe to replace the lines between the markers, by the rules
// of ini.go (configparser's, which botocore reads with, and the Go
// SDK's):
//   - Every line of a block starts in column 0 and the first that is not
//     a comment is a header, so nothing in it continues a value of the
//     section before BEGIN, and the lines before BEGIN read the same
//     whatever the block holds.
//   - The lines after END up to the next header belong to the block's
//     last section. A sync refuses a block followed by anything but
//     blank and comment lines there, so those lines too read the same.
//   - The checksum on the END line covers the lines between the markers
//     (line endings aside, so that an editor's CRLF conversion is no
//     edit): a block someone edited is never rewritten, and no hand edit
//     is lost to a sync.

const (
	ssoMarkerBegin = "BEGIN awsxc sso sync:"
	ssoMarkerEnd   = "END awsxc sso sync:"
	ssoChecksum    = ", checksum "
	ssoAccountNote = "account:"
	// ssoMarkerWord is what a comment line that is meant as a marker
	// holds, in any case, after a BEGIN or END: one that does but does not
	// parse as a marker is a damaged one.
	ssoMarkerWord = "awsxc"
)

// ErrSyncBlock is wrapped by [SyncSSO] when the config file's sync
// markers are not as a sync left them: a BEGIN without its END, markers
// twice or nested, a block whose lines were edited by hand (its checksum
// does not match), or keys after an END marker that configparser would
// read into the block's last profile. Nothing is written; the error
// names the lines.
var ErrSyncBlock = errors.New("the synced profiles' block was changed by hand")

// ssoMarker is a parsed marker line.
type ssoMarker struct {
	begin    bool   // BEGIN, else END
	session  string // the sso-session named
	checksum string // END only: the checksum written, "" when missing
}

// parseSSOMarker parses a comment line's text as a marker. ok is false
// for a line that is no marker; damaged is true for a comment that names
// the sync but is no marker as a sync writes one.
func parseSSOMarker(text []byte) (m ssoMarker, ok, damaged bool) {
	s := strings.TrimFunc(string(text), pySpace)
	if !strings.HasPrefix(s, "#") {
		return m, false, false
	}
	body := strings.TrimLeft(s[1:], " \t")
	switch {
	case strings.HasPrefix(body, ssoMarkerBegin):
		m.begin = true
		m.session = strings.TrimFunc(body[len(ssoMarkerBegin):], pySpace)
	case strings.HasPrefix(body, ssoMarkerEnd):
		rest := body[len(ssoMarkerEnd):]
		if i := strings.LastIndex(rest, ssoChecksum); i >= 0 {
			m.checksum = strings.TrimFunc(rest[i+len(ssoChecksum):], pySpace)
			rest = rest[:i]
		}
		m.session = strings.TrimFunc(rest, pySpace)
	default:
		lower := strings.ToLower(body)
		return m, false, (strings.HasPrefix(lower, "begin") || strings.HasPrefix(lower, "end")) && strings.Contains(lower, ssoMarkerWord)
	}
	if m.session == "" {
		return m, false, true
	}
	return m, true, false
}

// ssoBlock is one sync block of a scanned config file.
type ssoBlock struct {
	session    string
	begin, end int    // line indexes of the BEGIN and END markers
	checksum   string // as written on the END line
}

// blockScan is what scanSSOBlocks finds.
type blockScan struct {
	blocks []ssoBlock
	// problems are marker lines that do not pair up, in file order, one
	// line each: while there are any, no block can be trusted.
	problems []string
}

// scanSSOBlocks finds the sync blocks of f. Markers count only on
// comment lines (as configparser reads them: a "# BEGIN …" inside a
// value is a comment too).
func scanSSOBlocks(f *iniFile) blockScan {
	var bs blockScan
	open := -1
	var openSession string
	for i, l := range f.lines {
		if l.kind != iniComment {
			continue
		}
		m, ok, damaged := parseSSOMarker(f.text(i))
		switch {
		case damaged:
			bs.problems = append(bs.problems, fmt.Sprintf("line %d, %s, names the sync but is no marker it wrote", i+1, quoteLine(f.text(i))))
		case !ok:
		case m.begin && open >= 0:
			bs.problems = append(bs.problems, fmt.Sprintf("line %d begins a block for %q inside the block for %q that line %d begins", i+1, m.session, openSession, open+1))
		case m.begin:
			open, openSession = i, m.session
		case open < 0:
			bs.problems = append(bs.problems, fmt.Sprintf("line %d ends a block for %q that no BEGIN line opens", i+1, m.session))
		case m.session != openSession:
			bs.problems = append(bs.problems, fmt.Sprintf("line %d ends a block for %q, but the block line %d begins is for %q", i+1, m.session, open+1, openSession))
			open = -1
		default:
			bs.blocks = append(bs.blocks, ssoBlock{session: m.session, begin: open, end: i, checksum: m.checksum})
			open = -1
		}
	}
	if open >= 0 {
		bs.problems = append(bs.problems, fmt.Sprintf("line %d begins a block for %q that no END line ends", open+1, openSession))
	}
	for i, b := range bs.blocks {
		for _, o := range bs.blocks[:i] {
			if o.session == b.session {
				bs.problems = append(bs.problems, fmt.Sprintf("the block for %q appears twice (lines %d and %d)", b.session, o.begin+1, b.begin+1))
			}
		}
	}
	return bs
}

// find returns the block for session, or nil.
func (bs blockScan) find(session string) *ssoBlock {
	for i := range bs.blocks {
		if bs.blocks[i].session == session {
			return &bs.blocks[i]
		}
	}
	return nil
}

// blockChecksum is the checksum of the lines strictly between the
// markers: SHA-256 of their text, each ended by "\n" whatever the file's
// line endings, cut to 128 bits (it guards against slips, not attacks).
func blockChecksum(f *iniFile, b ssoBlock) string {
	h := sha256.New()
	for i := b.begin + 1; i < b.end; i++ {
		h.Write(f.text(i))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// checkBlock says why block b of f cannot be rewritten, or "".
func checkBlock(f *iniFile, b ssoBlock) string {
	where := fmt.Sprintf("the block for %q (lines %d-%d)", b.session, b.begin+1, b.end+1)
	if b.checksum == "" {
		return where + " has no checksum on its END line"
	}
	if b.checksum != blockChecksum(f, b) {
		return where + " was edited since the sync wrote it: its checksum does not match"
	}
	for i := b.end + 1; i < len(f.lines); i++ {
		switch f.lines[i].kind {
		case iniHeader:
			return ""
		case iniOption, iniContinuation, iniInvalid:
			return fmt.Sprintf("line %d, %s, after the END line of %s, would be read as part of the block's last profile", i+1, quoteLine(f.text(i)), where)
		}
	}
	return ""
}

// SyncedProfile is one profile a sync wrote: an account and role of the
// session, under a name.
type SyncedProfile struct {
	Name        string // the profile's name
	AccountID   string
	AccountName string // as the portal named the account; may be empty
	RoleName    string // the permission set
	Region      string // the profile's region
}

// blockProfiles reads the profiles of block b: each section whose header
// lies between the markers, with the "# account:" comment above it.
func blockProfiles(f *iniFile, b ssoBlock) []SyncedProfile {
	var out []SyncedProfile
	for _, s := range f.sections {
		if s.header <= b.begin || s.header >= b.end {
			continue
		}
		name, ok := profileOfSection(s.name, true)
		if !ok {
			continue
		}
		p := SyncedProfile{Name: name}
		for i := s.header - 1; i > b.begin && f.lines[i].kind == iniComment; i-- {
			if id, acct, ok := parseAccountNote(f.text(i)); ok {
				p.AccountID, p.AccountName = id, acct
				break
			}
		}
		for i := s.header + 1; i < min(s.end, b.end); i++ {
			l := f.lines[i]
			if l.kind != iniOption {
				continue
			}
			switch v := f.value(l); l.key {
			case "sso_account_id":
				p.AccountID = v
			case "sso_role_name":
				p.RoleName = v
			case "region":
				p.Region = v
			}
		}
		out = append(out, p)
	}
	return out
}

// accountNote is the comment above a synced profile that keeps the
// account's name, for the tray and for people reading the file.
func accountNote(id, name string) string {
	name = strings.TrimFunc(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, name), pySpace)
	if name == "" {
		return "# " + ssoAccountNote + " (" + id + ")"
	}
	return "# " + ssoAccountNote + " " + name + " (" + id + ")"
}

// parseAccountNote reads an account comment: "# account: NAME (ID)".
func parseAccountNote(text []byte) (id, name string, ok bool) {
	s := strings.TrimFunc(string(text), pySpace)
	if !strings.HasPrefix(s, "#") {
		return "", "", false
	}
	s, ok = strings.CutPrefix(strings.TrimLeft(s[1:], " \t"), ssoAccountNote)
	if !ok || !strings.HasSuffix(s, ")") {
		return "", "", false
	}
	i := strings.LastIndex(s, "(")
	if i < 0 {
		return "", "", false
	}
	id = s[i+1 : len(s)-1]
	if !validAccountID(id) {
		return "", "", false
	}
	return id, strings.TrimFunc(s[:i], pySpace), true
}

// validAccountID reports whether id is an AWS account id: 12 digits.
func validAccountID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for _, c := range []byte(id) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// renderBlock writes the block for session holding ps, in order, with
// eol line endings.
func renderBlock(session string, ps []SyncedProfile, eol string) []byte {
	var inner bytes.Buffer
	line := func(s string) {
		inner.WriteString(s)
		inner.WriteByte('\n')
	}
	line("# The profiles of every account and role that sso-session " + session + " can use,")
	line("# written by awsxc. Do not edit between BEGIN and END: the next sync rewrites")
	line("# these lines, and refuses to when they were changed. To change a profile,")
	line("# copy it out of the block under another name.")
	for _, p := range ps {
		line("")
		line(accountNote(p.AccountID, p.AccountName))
		line("[profile " + p.Name + "]")
		line("sso_session = " + session)
		line("sso_account_id = " + p.AccountID)
		line("sso_role_name = " + p.RoleName)
		line("region = " + p.Region)
	}
	line("")
	sum := sha256.Sum256(inner.Bytes())

	var out bytes.Buffer
	out.WriteString("# " + ssoMarkerBegin + " " + session + eol)
	for _, l := range strings.SplitAfter(inner.String(), "\n") {
		if l != "" {
			out.WriteString(strings.TrimSuffix(l, "\n") + eol)
		}
	}
	out.WriteString("# " + ssoMarkerEnd + " " + session + ssoChecksum + hex.EncodeToString(sum[:16]) + eol)
	return out.Bytes()
}

// spliceBlock returns f's data with block in place of b, or appended at
// the end when b is nil (after a line break if the last line lacks one,
// and a blank line if the last line is not blank). Every byte outside
// the old block's lines is kept.
func spliceBlock(f *iniFile, b *ssoBlock, block []byte) []byte {
	data := f.data
	if b != nil {
		out := make([]byte, 0, len(data)-(f.lines[b.end].next-f.lines[b.begin].start)+len(block))
		out = append(out, data[:f.lines[b.begin].start]...)
		out = append(out, block...)
		return append(out, data[f.lines[b.end].next:]...)
	}
	out := make([]byte, 0, len(data)+len(block)+4)
	out = append(out, data...)
	if n := len(f.lines); n > 0 {
		last := f.lines[n-1]
		if last.next == last.end {
			out = append(out, f.eol...)
		}
		if last.kind != iniBlank {
			out = append(out, f.eol...)
		}
	} else if f.bom > 0 {
		// The Go SDK does not see a line right after the mark as a
		// comment; start the block on a line of its own.
		out = append(out, f.eol...)
	}
	return append(out, block...)
}

// ErrSSOTemplate is wrapped by [SyncSSO] and [ParseSSOTemplate] for a
// profile name template that cannot be used.
var ErrSSOTemplate = errors.New("invalid profile name template")

// DefaultSSOTemplate is the profile name template of a sync when none is
// given: the account's name and the role's, as aws-sso-util names them.
const DefaultSSOTemplate = "{account_name}.{role_name}"

// SSOTemplate makes profile names for a sync from the placeholders
// {account_name}, {account_id}, {role_name} and {session}.
type SSOTemplate struct {
	parts []string // literal text and placeholders (with braces), in order
}

var ssoPlaceholders = []string{"{account_name}", "{account_id}", "{role_name}", "{session}"}

const placeholderList = "{account_name}, {account_id}, {role_name} or {session}"

// ParseSSOTemplate parses a profile name template. It must hold at least
// one placeholder; a brace that starts no known placeholder is an error
// wrapping [ErrSSOTemplate].
func ParseSSOTemplate(s string) (SSOTemplate, error) {
	var t SSOTemplate
	has := false
	for rest := s; rest != ""; {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			t.parts = append(t.parts, rest)
			break
		}
		if i > 0 {
			t.parts = append(t.parts, rest[:i])
			rest = rest[i:]
		}
		j := strings.IndexByte(rest, '}')
		if rest[0] == '}' || j < 0 || !slices.Contains(ssoPlaceholders, rest[:j+1]) {
			return SSOTemplate{}, fmt.Errorf("%w %q: %s is not a placeholder (%s)", ErrSSOTemplate, s, placeholderAt(rest), placeholderList)
		}
		t.parts = append(t.parts, rest[:j+1])
		has = true
		rest = rest[j+1:]
	}
	if !has {
		return SSOTemplate{}, fmt.Errorf("%w %q: it names no placeholder, so every role would get the same name (use %s)", ErrSSOTemplate, s, placeholderList)
	}
	return t, nil
}

// placeholderAt quotes the brace expression at the start of s, for a
// message.
func placeholderAt(s string) string {
	if s[0] == '}' {
		return strconv.Quote(s[:1])
	}
	if j := strings.IndexByte(s, '}'); j >= 0 {
		return strconv.Quote(s[:j+1])
	}
	return strconv.Quote(s)
}

// expand fills in the placeholders and makes the result a safe profile
// name ([SanitizeProfileName]); a name that comes out empty becomes
// ACCOUNT_ID.ROLE.
func (t SSOTemplate) expand(session string, p SyncedProfile) string {
	var b strings.Builder
	for _, part := range t.parts {
		switch part {
		case "{account_name}":
			b.WriteString(cmp.Or(p.AccountName, p.AccountID))
		case "{account_id}":
			b.WriteString(p.AccountID)
		case "{role_name}":
			b.WriteString(p.RoleName)
		case "{session}":
			b.WriteString(session)
		default:
			b.WriteString(part)
		}
	}
	if n := SanitizeProfileName(b.String()); n != "" {
		return n
	}
	return SanitizeProfileName(p.AccountID + "." + p.RoleName)
}

// SanitizeProfileName makes name a profile name that the AWS CLI,
// botocore, the Go SDK and a shell all take as it is: every character but
// ASCII letters, digits and "-_.+@" becomes '-' (spaces, brackets, '#'
// and ';' which the Go SDK reads as a comment, '=' and ':', quotes,
// control characters, anything outside ASCII, which Python reads in the
// locale's encoding), runs of '-' collapse and a '-' next to a '.'
// goes, and leading and trailing '-' and '.' are cut. It returns "" when
// nothing is left.
func SanitizeProfileName(name string) string {
	b := make([]byte, 0, len(name))
	for _, r := range name {
		c := byte('-')
		if r < 0x80 && (('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') || strings.ContainsRune("-_.+@", r)) {
			c = byte(r)
		}
		if n := len(b); n > 0 {
			switch prev := b[n-1]; {
			case c == '-' && (prev == '-' || prev == '.'):
				continue
			case c == '.' && prev == '-':
				b[n-1] = '.'
				continue
			}
		}
		b = append(b, c)
	}
	return strings.Trim(string(b), "-.")
}

// validSSOValue reports whether v can be written as a value that every
// reader takes back unchanged: not empty, no white space, no '#' or ';'
// (the Go SDK cuts a comment at them), no brackets, no control
// characters, valid UTF-8.
func validSSOValue(v string) bool {
	return v != "" && !strings.ContainsFunc(v, func(r rune) bool {
		return pySpace(r) || isControl(r) || r == '#' || r == ';' || r == '[' || r == ']' || r == 0xfffd
	})
}

// nameTaken is why a profile name is not free for a synced profile.
type nameTaken struct {
	where string // "config file line 12", "credentials file line 3", "the block for other-sso"
}

// assignNames names the profiles ps (sorted by account and role) with
// t, keeping each the name the block gave it before (old, by account and
// role) while that is still its template name or the template name with
// a "-N" suffix and no other profile has it; other profiles get the
// template name, or the first free "-2", "-3"... when taken, in order.
// It returns the names chosen for profiles whose template name was
// taken by a profile outside the block (clashes, by profile index).
func assignNames(ps []SyncedProfile, session string, t SSOTemplate, old map[[2]string]string, taken map[string]nameTaken) map[int]string {
	used := make(map[string]bool, len(ps))
	free := func(n string) bool { _, t := taken[n]; return !t && !used[n] }
	bases := make([]string, len(ps))
	for i := range ps {
		bases[i] = t.expand(session, ps[i])
		if n, ok := old[[2]string{ps[i].AccountID, ps[i].RoleName}]; ok && free(n) && isSuffixed(n, bases[i]) {
			ps[i].Name = n
			used[n] = true
		}
	}
	clashes := map[int]string{}
	for i := range ps {
		if _, ok := taken[bases[i]]; ok {
			clashes[i] = bases[i]
		}
		if ps[i].Name != "" {
			continue
		}
		n := bases[i]
		for k := 2; !free(n); k++ {
			n = bases[i] + "-" + strconv.Itoa(k)
		}
		ps[i].Name = n
		used[n] = true
	}
	return clashes
}

// isSuffixed reports whether n is base or base-N with N ≥ 2.
func isSuffixed(n, base string) bool {
	if n == base {
		return true
	}
	rest, ok := strings.CutPrefix(n, base+"-")
	if !ok || rest == "" || rest[0] == '0' {
		return false
	}
	k, err := strconv.Atoi(rest)
	return err == nil && k >= 2
}
