package engine

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds a small, line-preserving INI scanner. It classifies
// every line of an AWS config or credentials file the way botocore does:
// botocore reads both files with Python's configparser.RawConfigParser
// (botocore/configloader.py, raw_config_parse), whose rules are:
//
//   - Lines end at "\n", "\r\n" or a lone "\r" (Python's universal
//     newlines).
//   - A line whose stripped text is empty or starts with '#' or ';' is a
//     blank or comment line. Comments after a value are part of the value
//     (inline_comment_prefixes is None).
//   - A line indented deeper than the last option (or invalid) line, while
//     an option is open, continues that option's value, even after blank
//     and comment lines, even if it looks like a header.
//   - Otherwise "[...]" at the start of the stripped line is a header; the
//     name runs to the last ']' and is not trimmed: "[ dev ]" is the
//     section " dev ", which botocore does not find for profile "dev"
//     (the Go SDK trims it to "dev").
//   - Otherwise the text before the first '=' or ':' is a key, stripped
//     and lower-cased.
//   - Whitespace is Python's str.isspace, indentation is counted in
//     characters.
//
// One deliberate difference: a UTF-8 byte order mark at the start of the
// file is skipped (and kept). configparser would fail on it and the Go SDK
// would miss the first header; treating it as invisible is what the
// Windows editors that write it intend, and it means an editor never adds
// a second copy of the first section.

// iniKind classifies a line.
type iniKind uint8

const (
	iniBlank        iniKind = iota // empty or whitespace only
	iniComment                     // stripped text starts with '#' or ';'
	iniHeader                      // [section]
	iniOption                      // key = value or key: value
	iniContinuation                // continues the value of an earlier option
	iniInvalid                     // configparser rejects it (no key, no section)
)

// iniLine is one physical line. Offsets index iniFile.data.
type iniLine struct {
	start, end, next int // text is data[start:end], the line ending data[end:next]
	kind             iniKind
	indent           int    // leading whitespace in characters
	indentEnd        int    // offset where the leading whitespace ends
	name             string // iniHeader: the section name as configparser reads it
	key              string // iniOption: the lower-cased key
	delim            int    // iniOption: offset of the '=' or ':'
	owner            int    // iniOption, iniContinuation: index of the option line; else -1
	level            int    // index of the line that sets configparser's indent level after this line; -1 before any
	section          int    // index into iniFile.sections; -1 before the first header
}

// iniSection is a run of lines from a header up to the next header.
type iniSection struct {
	name   string
	header int // index of the header line
	end    int // index after the section's last line
}

// iniFile is a scanned INI file. The scanner never copies or changes data.
type iniFile struct {
	data     []byte
	bom      int // 3 when data starts with a UTF-8 byte order mark, else 0
	eol      string
	lines    []iniLine
	sections []iniSection
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// scanINI classifies the lines of data as described at the top of this file.
func scanINI(data []byte) *iniFile {
	f := &iniFile{data: data, eol: "\n"}
	if bytes.HasPrefix(data, utf8BOM) {
		f.bom = len(utf8BOM)
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 && data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
		f.eol = "\r\n"
	} else if i >= 0 && data[i] == '\r' {
		f.eol = "\r"
	}

	f.lines = make([]iniLine, 0, bytes.Count(data, []byte{'\n'})+1)
	section := -1
	option := -1 // the open option, whose value continuation lines extend
	level, levelLine := 0, -1
	for pos := f.bom; pos < len(data); {
		l := iniLine{start: pos, owner: -1, section: section}
		if i := bytes.IndexAny(data[pos:], "\r\n"); i < 0 {
			l.end, l.next = len(data), len(data)
		} else {
			l.end, l.next = pos+i, pos+i+1
			if data[l.end] == '\r' && l.next < len(data) && data[l.next] == '\n' {
				l.next++
			}
		}
		pos = l.next
		text := data[l.start:l.end]
		stripped := bytes.TrimFunc(text, pySpace)
		l.indentEnd = l.start + len(text) - len(bytes.TrimLeftFunc(text, pySpace))
		l.indent = utf8.RuneCount(data[l.start:l.indentEnd])

		switch {
		case len(stripped) == 0:
			l.kind = iniBlank
		case stripped[0] == '#' || stripped[0] == ';':
			l.kind = iniComment
		case section >= 0 && option >= 0 && l.indent > level:
			l.kind = iniContinuation
			l.owner = option
		default:
			level, levelLine = l.indent, len(f.lines)
			if name, ok := sectionName(stripped); ok {
				l.kind = iniHeader
				l.name = name
				option = -1
				section = len(f.sections)
				l.section = section
				if n := len(f.sections); n > 0 {
					f.sections[n-1].end = len(f.lines)
				}
				f.sections = append(f.sections, iniSection{name: name, header: len(f.lines)})
				break
			}
			i := bytes.IndexAny(stripped, "=:")
			if section < 0 || i < 0 {
				l.kind = iniInvalid // configparser keeps the open option
				break
			}
			key := bytes.TrimRightFunc(stripped[:i], pySpace)
			if len(key) == 0 {
				l.kind = iniInvalid // configparser closes the option
				option = -1
				break
			}
			l.kind = iniOption
			l.key = lowerKey(key)
			l.delim = l.indentEnd + bytes.IndexAny(data[l.indentEnd:l.end], "=:")
			l.owner = len(f.lines)
			option = len(f.lines)
		}
		l.level = levelLine
		f.lines = append(f.lines, l)
	}
	if n := len(f.sections); n > 0 {
		f.sections[n-1].end = len(f.lines)
	}
	return f
}

// sectionName matches configparser's SECTCRE, `\[(?P<header>.+)\]`, at
// the start of a stripped line: the name runs to the last ']'.
func sectionName(stripped []byte) (string, bool) {
	if stripped[0] != '[' {
		return "", false
	}
	j := bytes.LastIndexByte(stripped, ']')
	if j < 2 {
		return "", false
	}
	return string(stripped[1:j]), true
}

// lowerKey lower-cases a key as configparser's optionxform (str.lower)
// does, without allocating for the usual lower-case ASCII key.
func lowerKey(k []byte) string {
	for _, c := range k {
		if c >= 0x80 || ('A' <= c && c <= 'Z') {
			return strings.ToLower(string(k))
		}
	}
	return string(k)
}

// pySpace reports whether Python's str.isspace holds for r: Unicode
// White_Space plus the four information separators U+001C..U+001F.
func pySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// text returns the line's text without its line ending.
func (f *iniFile) text(i int) []byte { return f.data[f.lines[i].start:f.lines[i].end] }

// profileNames returns the profile names defined in an AWS config file
// (configFile true) or shared credentials file, in file order and without
// duplicates. In the config file "[profile x]" gives x and "[default]"
// gives default; other sections ([sso-session …], [services …],
// [plugins], …) are not profiles. In the credentials file every section
// is a profile. Names are as the Go SDK that later resolves them reads
// them (see profileOfSection).
//
// profileNames reads names only; awsxc never reads credentials from these
// files itself (the AWS SDK does).
func profileNames(data []byte, configFile bool) []string {
	f := scanINI(data)
	var names []string
	seen := make(map[string]bool)
	for _, s := range f.sections {
		name, ok := profileOfSection(s.name, configFile)
		if !ok || seen[name] {
			continue
		}
		seen[name] = true
		names = append(names, name)
	}
	return names
}

// profileOfSection names the profile a section header holds, the way the
// Go SDK reads it: trimmed; in the config file [default] or [profile NAME]
// (quotes stay: the SDK knows [profile "x y"] only with them).
func profileOfSection(section string, configFile bool) (string, bool) {
	name := strings.TrimFunc(section, pySpace)
	if configFile && name != DefaultProfile {
		rest, ok := strings.CutPrefix(name, "profile")
		if !ok || rest == "" || !pySpace(rune(rest[0])) {
			return "", false
		}
		name = strings.TrimFunc(rest, pySpace)
	}
	return name, name != ""
}

// value returns an option line's value as the Go SDK reads it: trimmed,
// with an inline comment (whitespace, then # or ;) cut off.
func (f *iniFile) value(l iniLine) string {
	v := strings.TrimSpace(string(f.data[l.delim+1 : l.end]))
	if v != "" && (v[0] == '#' || v[0] == ';') {
		return ""
	}
	for i := 1; i < len(v); i++ {
		if (v[i] == '#' || v[i] == ';') && (v[i-1] == ' ' || v[i-1] == '\t') {
			return strings.TrimSpace(v[:i])
		}
	}
	return v
}

// profileValue returns the value of key in profile name (see
// profileOfSection) as the Go SDK merges it: the SDK reads every section
// that names the profile as one, so the last value in the file wins.
func profileValue(data []byte, configFile bool, name, key string) (string, bool) {
	f := scanINI(data)
	v, found := "", false
	for _, s := range f.sections {
		if n, ok := profileOfSection(s.name, configFile); !ok || n != name {
			continue
		}
		for li := s.header + 1; li < s.end; li++ {
			if l := f.lines[li]; l.kind == iniOption && l.key == key {
				v, found = f.value(l), true
			}
		}
	}
	return v, found
}

// goSection returns the section name the Go SDK reads from a line, when
// it reads the line as a header (config/internal/ini, asProfile): the
// line is cut at the first '#' or ';', trimmed, bracketed, and the name
// between the brackets is trimmed with its first run of spaces and tabs
// made one space ("[ my   prof ]" is "my prof"). The SDK tries every
// line as a header first, so an indented line that configparser reads as
// part of a value ("  [x]") is a header to it.
func goSection(line []byte) (string, bool) {
	if i := bytes.IndexAny(line, "#;"); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSpace(line)
	if len(line) < 2 || line[0] != '[' || line[len(line)-1] != ']' {
		return "", false
	}
	s := strings.TrimSpace(string(line[1 : len(line)-1]))
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		s = s[:i] + " " + s[j:]
	}
	return s, true
}

// goOpenEmptyKey reports whether, after lines from..to-1 of f, the Go SDK
// would read an indented "key = value" line as an entry of a nested map
// (as in "s3 =" followed by "  max_concurrent_requests = 10") rather than
// as a key of its own: its last key was set with an empty value
// (config/internal/ini, parse.go handleSubProperty). Its tokenizer skips
// blank and comment lines, reads a line that starts with a space or tab
// as a sub-property or continuation and any other as a property.
func goOpenEmptyKey(f *iniFile, from, to int) bool {
	key, empty := "", false
	for i := from; i < to; i++ {
		line := string(f.text(i))
		t := strings.TrimLeft(line, " \t")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		if _, ok := goSection(f.text(i)); ok {
			key, empty = "", false
			continue
		}
		k, v, ok := goProperty(t)
		if !ok {
			continue // a continuation never empties a value
		}
		if line[0] != ' ' && line[0] != '\t' || key == "" || !empty {
			key, empty = k, v == ""
		}
	}
	return key != "" && empty
}

// goProperty splits a line, its indentation removed, into key and value
// the way the Go SDK does: an inline comment cut at " #", " ;", "\t#" or
// "\t;", the first '=' or an earlier ':', both sides trimmed, one pair of
// enclosing quotes taken off the value.
func goProperty(line string) (key, value string, ok bool) {
	for _, c := range []string{" #", " ;", "\t#", "\t;"} {
		line, _, _ = strings.Cut(line, c)
	}
	i := strings.IndexAny(line, "=:")
	if i < 0 {
		return "", "", false
	}
	key, value = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
	if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
		value = value[1 : len(value)-1]
	}
	return strings.ToLower(key), value, true
}
