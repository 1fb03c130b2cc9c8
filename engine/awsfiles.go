package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// This file reads the AWS config and credentials files once per call,
// with awsxc's own scanner (ini.go), for what the SDK does not say: which
// keys a profile sets (the listing's kinds, the checks of check.go), the
// values the SDK ignores or changes (aws_credential_expiration,
// aws_security_token, a quoted credential_process), and the sections that
// appear twice. It never hands out credentials itself: the SDK reads the
// same files and decides.

// MaxAWSFileSize is the largest config or credentials file awsxc reads
// (16 MiB; real ones hold a few KiB). The AWS CLI reads any size, but an
// unbounded read of AWS_CONFIG_FILE=/dev/zero grows until memory runs out.
const MaxAWSFileSize = 16 << 20

// awsFile is one of the two AWS files as one call reads it.
type awsFile struct {
	path   string // as the Env names it; "" when there is none
	config bool   // the config file, else the credentials file
	// sdk says whether the SDK is given path: false when it names
	// nothing that can be read as a file (missing, a folder, /dev/null),
	// which the SDK then reads as empty, as the AWS CLI does.
	sdk      bool
	ini      *iniFile
	profiles map[string]*iniProfile // by the profile name the Go SDK reads
	order    []string               // profile names in file order
	// problems are the sections and keys the AWS CLI refuses the file
	// for (a section twice, a key twice in one section), in file order.
	problems []filePattern
}

// iniProfile is what one file says about one profile.
type iniProfile struct {
	header int               // line index of its (first) header
	keys   map[string]string // lower-cased key → value as written (see rawValue)
	lines  map[string]int    // lower-cased key → line index
	// dup is why the profile is refused: its section appears twice in the
	// file, or one of its keys does. Empty when neither.
	dup string
}

// filePattern is one reason the AWS CLI refuses a file.
type filePattern struct {
	profile string // the profile it concerns; "" for another section
	text    string // "[profile x] appears twice (lines 2 and 10)"
}

// FileWarning is something wrong with one of the AWS files that stops no
// profile of its own: a folder where a file should be, a section or a key
// that appears twice (which makes the AWS CLI refuse the whole file).
type FileWarning struct {
	File string // the file's path, as the Env names it
	Text string // one line that names the file; no secret
}

// String returns w.Text.
func (w FileWarning) String() string { return w.Text }

// awsFiles is both AWS files as one call reads them.
type awsFiles struct {
	config, creds awsFile
	// warnings are about the files as a whole: a folder where a file
	// should be, a file the AWS CLI refuses.
	warnings []FileWarning
}

// readAWSFiles checks and reads e's config and credentials files, once
// each, before the SDK is given their paths. A missing file, a folder
// (with a warning: the AWS CLI reads it as empty too) and /dev/null are
// empty; anything else that is not a regular file (a FIFO would hang the
// SDK, /dev/zero exhaust memory) and a file over [MaxAWSFileSize] are an
// error, as is a file that cannot be read.
func readAWSFiles(e Env) (*awsFiles, error) {
	af := &awsFiles{}
	var err error
	if af.config, err = readAWSFile(e.ConfigFile, true, &af.warnings); err != nil {
		return nil, err
	}
	if af.creds, err = readAWSFile(e.CredentialsFile, false, &af.warnings); err != nil {
		return nil, err
	}
	for _, f := range []*awsFile{&af.config, &af.creds} {
		if len(f.problems) > 0 {
			texts := make([]string, 0, len(f.problems))
			for _, p := range f.problems {
				texts = append(texts, p.text)
			}
			af.warnings = append(af.warnings, FileWarning{File: f.path, Text: fmt.Sprintf("%s %s: %s: the AWS CLI refuses the whole file",
				f.what(), f.path, strings.Join(texts, "; "))})
		}
	}
	return af, nil
}

// SDKFiles checks env's config and credentials files as every engine
// call does before the SDK reads them (see [ListProfiles]: a FIFO, which
// would hang the SDK's read, a device, a file over [MaxAWSFileSize] or
// one that cannot be read is an error) and returns the lists to give the
// SDK's loaders (config.WithSharedConfigFiles and
// WithSharedCredentialsFiles, config.LoadSharedConfigOptions): empty, not
// nil, for a file that is missing, a folder or /dev/null, which the SDK
// then reads as no file, as the AWS CLI does. It is for the engine's
// subpackages that call those loaders themselves (sign-in).
func SDKFiles(env Env) (configFiles, credentialsFiles []string, err error) {
	af, err := readAWSFiles(env)
	if err != nil {
		return nil, nil, err
	}
	return af.config.list(), af.creds.list(), nil
}

// what names the file for messages.
func (f *awsFile) what() string {
	if f.config {
		return "config file"
	}
	return "credentials file"
}

func readAWSFile(path string, configFile bool, warnings *[]FileWarning) (awsFile, error) {
	f := awsFile{path: path, config: configFile}
	if path == "" {
		return f, nil
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f, nil
	case err != nil:
		return f, fmt.Errorf("%s: %w", f.what(), err)
	case fi.IsDir():
		*warnings = append(*warnings, FileWarning{File: path, Text: fmt.Sprintf("%s %s is a folder; reading it as empty, as the AWS CLI does", f.what(), path)})
		return f, nil
	case isDevNull(fi):
		return f, nil
	}
	data, err := fsutil.ReadRegular(path, MaxAWSFileSize)
	if err != nil {
		return f, fmt.Errorf("%s: %w", f.what(), err)
	}
	// The SDK is given this file next: refuse what would crash it.
	if n := goSDKCrashLine(data); n > 0 {
		return f, fsutil.WithPaths(sdkCrashError(f.what()+" "+path, n), path)
	}
	f.sdk = true
	f.scan(data)
	return f, nil
}

// isDevNull reports whether fi is the null device, which CI setups give
// as AWS_CONFIG_FILE to mean "no file".
func isDevNull(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// scan indexes the file's profiles and notes what the AWS CLI would
// refuse: configparser (strict, as botocore uses it) rejects a section
// header that appears twice and a key that appears twice in one section;
// the Go SDK merges both, the later value winning, which can pair one
// section's access key with the other's secret. Two headers that name
// one profile for the Go SDK ("[profile  x]" and "[profile x]",
// "[default]" and "[profile default]") count as one section twice.
func (f *awsFile) scan(data []byte) {
	f.ini = scanINI(data)
	f.profiles = make(map[string]*iniProfile)
	others := map[string]int{} // other sections ([sso-session x], ...) by header text
	for _, s := range f.ini.sections {
		name, isProfile := profileOfSection(s.name, f.config)
		if !isProfile {
			if first, ok := others[s.name]; ok {
				f.problems = append(f.problems, filePattern{text: fmt.Sprintf("[%s] appears twice (lines %d and %d)",
					s.name, f.lineNo(first), f.lineNo(s.header))})
			} else {
				others[s.name] = s.header
			}
			f.duplicateKeys(s, "", "["+s.name+"]")
			continue
		}
		p := f.profiles[name]
		if p == nil {
			p = &iniProfile{header: s.header, keys: map[string]string{}, lines: map[string]int{}}
			f.profiles[name] = p
			f.order = append(f.order, name)
		} else if p.dup == "" {
			p.dup = fmt.Sprintf("%s appears twice (lines %d and %d)", f.headerText(p.header), f.lineNo(p.header), f.lineNo(s.header))
			f.problems = append(f.problems, filePattern{profile: name, text: p.dup})
		}
		if d := f.duplicateKeys(s, name, f.headerText(s.header)); d != "" && p.dup == "" {
			p.dup = d
		}
		for li := s.header + 1; li < s.end; li++ {
			if l := f.ini.lines[li]; l.kind == iniOption {
				p.keys[l.key] = f.ini.value(l)
				p.lines[l.key] = li
			}
		}
	}
}

// duplicateKeys records a key set twice in section s and returns the
// first such problem's text ("" when none).
func (f *awsFile) duplicateKeys(s iniSection, profile, header string) string {
	var seen map[string]int
	first := ""
	for li := s.header + 1; li < s.end; li++ {
		l := f.ini.lines[li]
		if l.kind != iniOption {
			continue
		}
		if seen == nil {
			seen = map[string]int{}
		}
		if prev, ok := seen[l.key]; ok {
			text := fmt.Sprintf("%s sets %s twice (lines %d and %d)", header, l.key, f.lineNo(prev), f.lineNo(li))
			f.problems = append(f.problems, filePattern{profile: profile, text: text})
			if first == "" {
				first = text
			}
			continue
		}
		seen[l.key] = li
	}
	return first
}

// lineNo is the 1-based line number of line index i.
func (f *awsFile) lineNo(i int) int { return i + 1 }

// headerText is a header line as written, for messages: "[profile x]".
func (f *awsFile) headerText(i int) string {
	return strings.TrimFunc(string(f.ini.text(i)), pySpace)
}

// sdkFiles makes LoadSharedConfigProfile read the files as
// [config.WithSharedConfigFiles] and WithSharedCredentialsFiles give them
// to LoadDefaultConfig (see loadOptions), and no others.
func (af *awsFiles) sdkFiles(o *config.LoadSharedConfigOptions) {
	o.ConfigFiles, o.CredentialsFiles = af.config.list(), af.creds.list()
}

// list is the SDK's list for the file: empty (not nil, which the SDK
// reads as "the defaults") when it is not given the file.
func (f *awsFile) list() []string {
	if !f.sdk {
		return []string{}
	}
	return []string{f.path}
}

// section returns what file f says about profile name, or nil.
func (f *awsFile) section(name string) *iniProfile {
	if f.profiles == nil {
		return nil
	}
	return f.profiles[name]
}

// has reports whether either file sets key in profile name.
func (af *awsFiles) has(name, key string) bool {
	_, ok := af.value(name, key)
	return ok
}

// value returns key of profile name as the Go SDK merges the two files:
// the credentials file's value, else the config file's. It is the value as
// written (see rawValue); [sdkValue] gives the one the SDK uses.
func (af *awsFiles) value(name, key string) (string, bool) {
	for _, f := range []*awsFile{&af.creds, &af.config} {
		if p := f.section(name); p != nil {
			if v, ok := p.keys[key]; ok {
				return v, true
			}
		}
	}
	return "", false
}

// exists reports whether either file defines profile name.
func (af *awsFiles) exists(name string) bool {
	return af.config.section(name) != nil || af.creds.section(name) != nil
}

// keysFile returns the file whose section the Go SDK takes profile
// name's access keys from: the credentials file when its section sets
// both keys (it then wins over the config file), else the config file.
func (af *awsFiles) keysFile(name string) *awsFile {
	if p := af.creds.section(name); p != nil && p.keys["aws_access_key_id"] != "" && p.keys["aws_secret_access_key"] != "" {
		return &af.creds
	}
	return &af.config
}

// duplicated returns the error for a profile that appears twice in one
// of the files (see scan), or nil. The Go SDK would merge the sections,
// so the keys it hands out could be half of each: awsxc never resolves
// such a profile.
func (af *awsFiles) duplicated(name string) error {
	for _, f := range []*awsFile{&af.config, &af.creds} {
		if p := f.section(name); p != nil && p.dup != "" {
			return &Error{Profile: name, Kind: ErrInvalidConfig,
				Err:  fsutil.WithPaths(fmt.Errorf("%s %s: %s, which the AWS CLI refuses and the Go SDK would merge into one", f.what(), f.path, p.dup), f.path),
				Hint: "remove or rename one of them"}
		}
	}
	return nil
}

// lineOf returns "config file PATH line N" for key of profile name in
// file f, for messages.
func (f *awsFile) lineOf(name, key string) string {
	if p := f.section(name); p != nil {
		if li, ok := p.lines[key]; ok {
			return f.what() + " " + f.path + " line " + strconv.Itoa(f.lineNo(li))
		}
	}
	return f.what() + " " + f.path
}

// sdkValue is a value as the Go SDK reads it from its text as written:
// one pair of enclosing quotes, single or double, is removed
// (config/internal/ini legacyStrconv). botocore and the AWS CLI keep
// them.
func sdkValue(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// goSDKCrashLine returns the line number (from 1) of the first line of
// data on which the Go SDK's config parser panics, or 0. It panics on a
// value that is one quote character ("key = \"" or "  key = '"): its
// unquote cuts s[1:len(s)-1] from a one-character string
// (config/internal/ini strings.go, aws-sdk-go-v2 config v1.33.18), which
// kills the process that reads the file. The rules are the parser's: lines
// split at "\n"; blank and comment lines and headers skipped; an
// unindented line a property with its comment cut, an indented one a
// sub-property with none; the value trimmed.
func goSDKCrashLine(data []byte) int {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimLeft(line, " \t")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		if _, ok := goSection([]byte(line)); ok {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			for _, c := range []string{" #", " ;", "\t#", "\t;"} {
				t, _, _ = strings.Cut(t, c)
			}
			t = strings.TrimRight(t, " \t")
		}
		eq, colon := strings.Index(t, "="), strings.Index(t, ":")
		sep := eq
		if eq < 0 || colon >= 0 && colon < eq {
			sep = colon
		}
		if sep < 0 {
			continue
		}
		if v := strings.TrimSpace(t[sep+1:]); v == `"` || v == "'" {
			return i + 1
		}
	}
	return 0
}

// sdkCrashError is the refusal of a file the Go SDK's parser would crash
// on (see goSDKCrashLine); file names it ("config file /home/u/.aws/config").
func sdkCrashError(file string, line int) error {
	return fmt.Errorf("%s line %d: a value that is one quote character crashes the Go SDK's parser; remove it, or quote the whole value", file, line)
}
