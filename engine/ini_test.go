package engine

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestProfileNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		data       string
		configFile bool
		want       []string
	}{
		{"empty", "", false, nil},
		{"credentials_every_section", "[default]\na=1\n[dev]\n[profile x]\n", false, []string{"default", "dev", "profile x"}},
		{"credentials_duplicates_once", "[dev]\n[a]\n[dev]\n", false, []string{"dev", "a"}},
		{"credentials_padded_trimmed", "[ dev ]\n  [ops] ; c\n", false, []string{"dev", "ops"}},
		{"credentials_comment_not_header", "# [x]\n; [y]\n[z]\n", false, []string{"z"}},
		{"credentials_continuation_not_header", "[a]\nk = v\n  [hidden]\n", false, []string{"a"}},
		{"credentials_crlf_bom", "\xef\xbb\xbf[a]\r\nk=v\r\n[b]\r\n", false, []string{"a", "b"}},
		{"config_profiles", "[default]\n[profile dev]\n[profile  'my prof' ]\n[profile \"q\"]\n", true, []string{"default", "dev", "'my prof'", `"q"`}},
		{"config_skips_others", "[sso-session corp]\n[services s3]\n[plugins]\n[profilex]\n[profile dev]\n", true, []string{"dev"}},
		{"config_default_twice", "[default]\n[profile default]\n", true, []string{"default"}},
		{"config_tab_after_profile", "[profile\tdev]\n", true, []string{"dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, profileNames([]byte(tc.data), tc.configFile)); diff != "" {
				t.Errorf("ProfileNames (-want +got):\n%s", diff)
			}
		})
	}
}

// scanValues rebuilds configparser's view (non-strict: duplicate sections
// merge) from scanINI's line classes.
func scanValues(data []byte) (map[string]map[string]string, bool) {
	f := scanINI(data)
	type val struct {
		sect, key string
		parts     []string
	}
	var vals []*val
	var cur *val
	invalid := false
	out := map[string]map[string]string{}
	for i, l := range f.lines {
		text := strings.TrimFunc(string(f.text(i)), pySpace)
		switch l.kind {
		case iniHeader:
			cur = nil
			if out[l.name] == nil {
				out[l.name] = map[string]string{}
			}
		case iniBlank:
			if cur != nil {
				cur.parts = append(cur.parts, "")
			}
		case iniContinuation:
			cur.parts = append(cur.parts, text)
		case iniOption:
			v := strings.TrimFunc(string(f.data[l.delim+1:l.end]), pySpace)
			cur = &val{sect: f.sections[l.section].name, key: l.key, parts: []string{v}}
			vals = append(vals, cur)
		case iniInvalid:
			invalid = true
			if strings.IndexAny(text, "=:") == 0 {
				cur = nil
			}
		}
	}
	for _, v := range vals {
		out[v.sect][v.key] = strings.TrimRightFunc(strings.Join(v.parts, "\n"), pySpace)
	}
	return out, invalid
}

// iniSamples are inputs for the parser cross-checks: the golden inputs and
// outputs plus a few shapes they lack.
func iniSamples(t *testing.T) map[string][]byte {
	t.Helper()
	samples := map[string][]byte{
		"indent_levels":     []byte("[a]\n  k = 1\n    cont\n j = 2\n  not-cont\n\n [b]\nx=1\n\n\t[c]\n"),
		"invalid_keeps_opt": []byte("[a]\nk = 1\n garbage\n  more\n"),
		"empty_key":         []byte("[a]\nk = 1\n= x\n  y\n"),
		"nbsp_indent":       []byte("[a]\nk = 1\n\u00a0\u00a0cont\n\x1cz = 2\n"),
		"header_brackets":   []byte("[a]b] x\nk=1\n[[c]]\nj=2\n"),
		"default":           []byte("[DEFAULT]\nr = 1\n[a]\nk = 2\n"),
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "credfile", "*"))
	// AWSXC_INI_SAMPLES names a folder of extra inputs, e.g. a fuzz
	// corpus turned into plain files.
	if dir := os.Getenv("AWSXC_INI_SAMPLES"); dir != "" {
		extra, _ := filepath.Glob(filepath.Join(dir, "*"))
		files = append(files, extra...)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		samples[filepath.Base(p)] = data
	}
	return samples
}

// TestScanMatchesReferenceParser checks the editor's scanner against the
// independent reference parser used by the fuzz test.
func TestScanMatchesReferenceParser(t *testing.T) {
	t.Parallel()
	for name, data := range iniSamples(t) {
		got, _ := scanValues(data)
		want := refParse(data).merged
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: scanINI vs reference (-want +got):\n%s", name, diff)
		}
	}
}

// TestReferenceParserMatchesConfigparser checks both the reference parser
// and the scanner against Python's configparser itself, reading real files
// as botocore does.
func TestReferenceParserMatchesConfigparser(t *testing.T) {
	t.Parallel()
	botocoreAvailable(t)
	const script = `
import configparser, json, sys
out = {}
for name, path in json.load(sys.stdin).items():
    cp = configparser.RawConfigParser(strict=False)
    try:
        cp.read([path], encoding='utf-8')
        d = {s: dict(cp._sections[s]) for s in cp._sections}
        if cp._defaults:
            d['DEFAULT'] = dict(cp._defaults)
        out[name] = {'sections': d}
    except (configparser.Error, UnicodeDecodeError) as e:
        out[name] = {'error': type(e).__name__}
print(json.dumps(out))
`
	dir := t.TempDir()
	paths := map[string]string{}
	samples := iniSamples(t)
	for name, data := range samples {
		if strings.HasPrefix(string(data), "\xef\xbb\xbf") || !utf8.Valid(data) {
			continue // the documented difference; botocore cannot decode it
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	in, _ := json.Marshal(paths)
	cmd := exec.Command("/usr/bin/python3", "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]struct {
		Sections map[string]map[string]string
		Error    string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	for name, r := range res {
		ref := refParse(samples[name])
		scan, invalid := scanValues(samples[name])
		if r.Error != "" {
			if ref.errLines == 0 || !invalid {
				t.Errorf("%s: configparser fails (%s), reference errLines=%d, scanner invalid=%v", name, r.Error, ref.errLines, invalid)
			}
			continue
		}
		if ref.errLines != 0 || invalid {
			t.Errorf("%s: configparser reads it, reference errLines=%d, scanner invalid=%v", name, ref.errLines, invalid)
		}
		if d := ref.merged["DEFAULT"]; d != nil && len(d) == 0 {
			delete(ref.merged, "DEFAULT")
			delete(scan, "DEFAULT")
		}
		if r.Sections == nil {
			r.Sections = map[string]map[string]string{}
		}
		if diff := cmp.Diff(r.Sections, ref.merged); diff != "" {
			t.Errorf("%s: configparser vs reference (-python +reference):\n%s", name, diff)
		}
		if diff := cmp.Diff(r.Sections, scan); diff != "" {
			t.Errorf("%s: configparser vs scanner (-python +scanner):\n%s", name, diff)
		}
	}
}

// FuzzGoSection checks goSection against the Go SDK itself: a line it
// reads as a header takes the keys that follow from the section above it,
// into the section goSection names.
func FuzzGoSection(f *testing.F) {
	for _, s := range []string{"[tgt]", "[ tgt ]", "  [tgt]", "[tgt] x", "[tgt] ; c", "[tgt]x", "[tg#t]", "[my   prof]",
		"[ my\t prof ]", "[]", "[ ]", "\ufeff[tgt]", "\x1c[tgt]", "[a]]", "[[a]", "[\u00a0a\u00a0]", "[profile x]", "a = [b]", "# [c]", "\t[tab]\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsRune(line, '\n') || !utf8.ValidString(line) {
			return
		}
		data := "[before]\n" + line + "\naws_access_key_id = K\naws_secret_access_key = S\n"
		name, ok := goSection([]byte(line))
		dir := t.TempDir()
		before := goReadProfile(t, dir, []byte(data), "before")
		if before.error != "" {
			t.Skip("the SDK refuses the file:", before.error)
		}
		if got := before.key == "K"; got == ok {
			t.Fatalf("goSection(%q) = %q, %v, but the keys after it stay in [before]: %v", line, name, ok, got)
		}
		if !ok || name == "" || name == "before" || strings.HasPrefix(name, "profile ") {
			return // the SDK drops [profile …] from the credentials file, and looks up no ""
		}
		if got := goReadProfile(t, dir, []byte(data), name); got.key != "K" {
			t.Fatalf("goSection(%q) = %q, but the SDK reads %+v there", line, name, got)
		}
	})
}
