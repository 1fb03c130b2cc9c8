// Package udiff writes the unified diff of two texts, as diff -u and git
// show it, for a command that says what it would change in a file
// (awsxc-cli sso sync --dry-run). It is not AWS logic.
//
// The lines are matched by the anchored method (patience diff): the
// lines that occur once in each text are matched in the longest order
// they share, and each match grows to the equal lines next to it. That
// costs O(n log n), however many lines differ, and it reads well on
// files of INI sections, where headers are unique; it may report a
// longer diff than the shortest possible one when few lines are unique.
package udiff

import (
	"fmt"
	"sort"
	"strings"
)

// context is how many unchanged lines surround a change, as diff -u's.
const context = 3

// Unified returns the unified diff from old to new, with the file names
// oldName and newName on its "---" and "+++" lines, or "" when the texts
// are equal. Lines end at "\n", "\r\n" or a lone "\r"; the diff shows
// them without their endings, each ended by "\n", and marks a last line
// that has none with "\ No newline at end of file".
func Unified(oldName, newName string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	a, b := split(string(old)), split(string(new))
	// One entry per line of the diff, with where it stands in a and b:
	// for an inserted line, pa is the index of the next line of a, and
	// likewise pb for a deleted one.
	type line struct {
		kind   opKind
		pa, pb int
	}
	var lines []line
	for _, o := range script(a, b) {
		for k := range o.n {
			switch o.kind {
			case equal:
				lines = append(lines, line{equal, o.a + k, o.b + k})
			case del:
				lines = append(lines, line{del, o.a + k, o.b})
			case ins:
				lines = append(lines, line{ins, o.a, o.b + k})
			}
		}
	}
	// Hunks: each change with context lines around it, merged when they
	// touch or overlap.
	var hunks [][2]int
	for i, l := range lines {
		if l.kind == equal {
			continue
		}
		lo, hi := max(0, i-context), min(len(lines), i+context+1)
		if n := len(hunks); n > 0 && lo <= hunks[n-1][1] {
			hunks[n-1][1] = hi
		} else {
			hunks = append(hunks, [2]int{lo, hi})
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks {
		na, nb := 0, 0
		for _, l := range lines[h[0]:h[1]] {
			if l.kind != ins {
				na++
			}
			if l.kind != del {
				nb++
			}
		}
		first := lines[h[0]]
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", span(first.pa, na), span(first.pb, nb))
		for _, l := range lines[h[0]:h[1]] {
			switch l.kind {
			case equal:
				writeLine(&out, ' ', a[l.pa])
			case del:
				writeLine(&out, '-', a[l.pa])
			case ins:
				writeLine(&out, '+', b[l.pb])
			}
		}
	}
	return out.String()
}

// split cuts s into lines, each with its ending.
func split(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			out = append(out, s)
			break
		}
		j := i + 1
		if s[i] == '\r' && j < len(s) && s[j] == '\n' {
			j++
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}

func writeLine(out *strings.Builder, mark byte, line string) {
	out.WriteByte(mark)
	text := strings.TrimRight(line, "\r\n")
	out.WriteString(text)
	out.WriteByte('\n')
	if text == line {
		out.WriteString("\\ No newline at end of file\n")
	}
}

// span formats a hunk's range of n lines from index from as diff -u
// does: "start,count", 1-based, a count of 1 left out, and an empty range
// named by the line before it.
func span(from, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", from)
	case 1:
		return fmt.Sprint(from + 1)
	}
	return fmt.Sprintf("%d,%d", from+1, n)
}

type opKind uint8

const (
	equal opKind = iota
	del
	ins
)

// op is a run of n lines: equal (a[a:a+n] is b[b:b+n]), deleted from a
// at a, or inserted from b at b.
type op struct {
	kind opKind
	a, b int
	n    int
}

// script returns the edit script from a to b.
func script(a, b []string) []op {
	var ops []op
	add := func(kind opKind, i, j, n int) {
		if n == 0 {
			return
		}
		if k := len(ops) - 1; k >= 0 && ops[k].kind == kind {
			ops[k].n += n
			return
		}
		ops = append(ops, op{kind, i, j, n})
	}
	// gap emits the lines between two matches, growing the matches into
	// it from both sides first.
	gap := func(i0, i1, j0, j1 int) {
		n := 0
		for i0+n < i1 && j0+n < j1 && a[i0+n] == b[j0+n] {
			n++
		}
		add(equal, i0, j0, n)
		i0, j0 = i0+n, j0+n
		m := 0
		for i1-m > i0 && j1-m > j0 && a[i1-m-1] == b[j1-m-1] {
			m++
		}
		add(del, i0, j0, i1-m-i0)
		add(ins, i1-m, j0, j1-m-j0)
		add(equal, i1-m, j1-m, m)
	}
	i, j := 0, 0
	for _, m := range anchors(a, b) {
		gap(i, m[0], j, m[1])
		add(equal, m[0], m[1], 1)
		i, j = m[0]+1, m[1]+1
	}
	gap(i, len(a), j, len(b))
	return ops
}

// anchors returns the pairs (i, j) with a[i] == b[j] occurring once in
// each, in the longest sequence increasing in both.
func anchors(a, b []string) [][2]int {
	type count struct{ na, nb, ia, ib int }
	counts := make(map[string]*count, len(a))
	for i, l := range a {
		c := counts[l]
		if c == nil {
			c = &count{}
			counts[l] = c
		}
		c.na++
		c.ia = i
	}
	for j, l := range b {
		if c := counts[l]; c != nil {
			c.nb++
			c.ib = j
		}
	}
	var pairs [][2]int // in a's order
	for i, l := range a {
		if c := counts[l]; c.na == 1 && c.nb == 1 {
			pairs = append(pairs, [2]int{i, c.ib})
		}
	}
	// The longest increasing subsequence of the j's, by patience
	// sorting: tails[k] is the index in pairs of the smallest last j of
	// an increasing run of length k+1; prev links each pair to the one
	// before it in its run.
	var tails []int
	prev := make([]int, len(pairs))
	for p, pr := range pairs {
		k := sort.Search(len(tails), func(k int) bool { return pairs[tails[k]][1] > pr[1] })
		prev[p] = -1
		if k > 0 {
			prev[p] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, p)
		} else {
			tails[k] = p
		}
	}
	out := make([][2]int, len(tails))
	for k, p := len(tails)-1, -1; k >= 0; k-- {
		if p == -1 {
			p = tails[len(tails)-1]
		} else {
			p = prev[p]
		}
		out[k] = pairs[p]
	}
	return out
}
