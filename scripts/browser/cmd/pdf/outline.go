package main

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf16"
)

// Chromium writes an outline (the bookmarks a PDF viewer shows beside the
// pages) only into a tagged PDF, which more than doubles a handout's size.
// The outline written here costs a few hundred bytes: an incremental
// update appended to Chromium's PDF adds the outline's objects and a new
// catalog that points to them. Its entries jump to the named destinations
// Chromium writes for the targets of links (chapters and headings).

// A mark is one entry of the outline.
type mark struct {
	title string
	id    string // the element it jumps to, a named destination of the PDF
	kids  []mark
}

// ErrNoOutline is wrapped by withOutline's error when the PDF is not laid
// out as Chromium writes it, so that no outline can be added.
var ErrNoOutline = errors.New("cannot add an outline")

var (
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	trailerRE   = regexp.MustCompile(`(?s)trailer\s*<<(.*?)>>\s*startxref\s+\d+\s+%%EOF\s*$`)
	refRE       = func(key string) *regexp.Regexp { return regexp.MustCompile(`/` + key + `\s+(\d+)\s+0\s+R`) }
	rootRE      = refRE("Root")
	infoRE      = refRE("Info")
	destsRE     = refRE("Dests")
	sizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
	destRE      = regexp.MustCompile(`/((?:[^\s/\[\]<>(){}%#]|#[0-9A-Fa-f]{2})+)\s*(\[[^\]]*\])`)
)

// object returns the dictionary of object n of a PDF, without << >>: its
// last definition, which an update replaces.
func object(pdf []byte, n int) ([]byte, bool) {
	re := regexp.MustCompile(`(?s)(?:^|[\r\n])` + strconv.Itoa(n) + `\s+0\s+obj\s*<<(.*?)>>\s*endobj`)
	ms := re.FindAllSubmatch(pdf, -1)
	if ms == nil {
		return nil, false
	}
	return ms[len(ms)-1][1], true
}

// unescapeName decodes the #xx escapes of a PDF name.
func unescapeName(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// pdfText encodes s as a PDF text string (UTF-16BE with a byte-order mark).
func pdfText(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// withOutline returns pdf with an outline of marks. Marks whose element
// has no destination in the PDF are left out, with their entries.
func withOutline(pdf []byte, marks []mark) ([]byte, error) {
	fail := func(what string) ([]byte, error) { return nil, fmt.Errorf("%w: %s", ErrNoOutline, what) }
	sx := startxrefRE.FindSubmatch(pdf)
	tr := trailerRE.FindSubmatch(pdf)
	if sx == nil || tr == nil {
		return fail("no trailer")
	}
	prev, _ := strconv.Atoi(string(sx[1]))
	root, info, size := rootRE.FindSubmatch(tr[1]), infoRE.FindSubmatch(tr[1]), sizeRE.FindSubmatch(tr[1])
	if root == nil || size == nil {
		return fail("no /Root or /Size in the trailer")
	}
	rootN, _ := strconv.Atoi(string(root[1]))
	next, _ := strconv.Atoi(string(size[1]))
	catalog, ok := object(pdf, rootN)
	if !ok || bytes.Contains(catalog, []byte("/Outlines")) {
		return fail("no catalog, or one with an outline already")
	}
	d := destsRE.FindSubmatch(catalog)
	if d == nil {
		return fail("no named destinations")
	}
	destsN, _ := strconv.Atoi(string(d[1]))
	destsObj, ok := object(pdf, destsN)
	if !ok {
		return fail("no dictionary of named destinations")
	}
	dests := map[string]string{}
	for _, m := range destRE.FindAllSubmatch(destsObj, -1) {
		dests[unescapeName(string(m[1]))] = string(m[2])
	}

	// Number the objects: the outline's root, then its entries, depth first.
	type item struct {
		n, parent, first, last, prev, next, count int
		title, dest                               string
	}
	var items []*item
	rootItem := next
	next++
	var add func(ms []mark, parent int) (first, last, count int)
	add = func(ms []mark, parent int) (first, last, count int) {
		var prevItem *item
		for _, m := range ms {
			dest, ok := dests[m.id]
			if !ok {
				continue
			}
			it := &item{n: next, parent: parent, title: m.title, dest: dest}
			next++
			items = append(items, it)
			if prevItem != nil {
				prevItem.next, it.prev = it.n, prevItem.n
			} else {
				first = it.n
			}
			prevItem = it
			count++
			var kids int
			it.first, it.last, kids = add(m.kids, it.n)
			it.count = -kids // closed: a viewer shows the chapters, and opens one on demand
		}
		if prevItem != nil {
			last = prevItem.n
		}
		return first, last, count
	}
	first, last, count := add(marks, rootItem)
	if count == 0 {
		return fail("no destination for any entry")
	}

	var b bytes.Buffer
	b.Write(pdf)
	if pdf[len(pdf)-1] != '\n' {
		b.WriteByte('\n')
	}
	offsets := map[int]int{}
	obj := func(n int, dict string) {
		offsets[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n<<%s>>\nendobj\n", n, dict)
	}
	obj(rootItem, fmt.Sprintf("/Type /Outlines /First %d 0 R /Last %d 0 R /Count %d", first, last, count))
	for _, it := range items {
		dict := fmt.Sprintf("/Title %s /Parent %d 0 R /Dest %s", pdfText(it.title), it.parent, it.dest)
		for _, l := range []struct {
			key string
			n   int
		}{{"Prev", it.prev}, {"Next", it.next}, {"First", it.first}, {"Last", it.last}} {
			if l.n != 0 {
				dict += fmt.Sprintf(" /%s %d 0 R", l.key, l.n)
			}
		}
		if it.count != 0 {
			dict += fmt.Sprintf(" /Count %d", it.count)
		}
		obj(it.n, dict)
	}
	obj(rootN, string(catalog)+fmt.Sprintf("\n/Outlines %d 0 R\n/PageMode /UseOutlines", rootItem))

	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n%d %d\n", rootN, offsets[rootN], rootItem, next-rootItem)
	for n := rootItem; n < next; n++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offsets[n])
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root %d 0 R", next, rootN)
	if info != nil {
		fmt.Fprintf(&b, " /Info %s 0 R", info[1])
	}
	fmt.Fprintf(&b, " /Prev %d>>\nstartxref\n%d\n%%%%EOF\n", prev, xref)
	return b.Bytes(), nil
}
