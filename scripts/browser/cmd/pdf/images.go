package main

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"regexp"
	"sort"
	"strconv"
)

// Chromium (Skia) embeds every image of a page as raw pixels compressed
// with plain deflate: a chart's 256-colour PNG comes out about twice its
// size, and the charts are most of a handout's bytes. A PDF can hold a
// PNG's own compressed data (deflate with PNG predictors, a palette as an
// indexed colour space), so the PDF is rewritten with each chart's image
// taken from its PNG: the same pixels, in the PNG's bytes.

// A sourcePNG is a PNG as a PDF image can hold it.
type sourcePNG struct {
	width, height int
	colors        int    // 1 (palette) or 3 (RGB)
	depth         int    // bits per component: 8, or 1, 2, 4 for a palette
	palette       []byte // RGB triples, for colors == 1
	data          []byte // the IDAT chunks, joined
}

// ErrNoRewrite is wrapped by withPNGs's error when the PDF is not laid out
// as Chromium writes it.
var ErrNoRewrite = errors.New("cannot re-embed the images")

var dataPNGRE = regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`)

// pngsOf returns the PNG images of data URIs in an HTML fragment, by the
// SHA-256 of their pixels as RGB bytes. PNGs a PDF cannot hold as they are
// (interlaced, transparent, 16-bit, grey) are left out.
func pngsOf(fragment string, into map[[32]byte]*sourcePNG) {
	for _, m := range dataPNGRE.FindAllStringSubmatch(fragment, -1) {
		b, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			continue
		}
		src, pixels, ok := parsePNG(b)
		if ok {
			into[sha256.Sum256(pixels)] = src
		}
	}
}

// parsePNG reads the chunks of a PNG and decodes its pixels to RGB.
func parsePNG(b []byte) (*sourcePNG, []byte, bool) {
	const sig = "\x89PNG\r\n\x1a\n"
	if len(b) < len(sig) || string(b[:len(sig)]) != sig {
		return nil, nil, false
	}
	src := &sourcePNG{}
	var data bytes.Buffer
	for p := len(sig); p+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[p:]))
		typ := string(b[p+4 : p+8])
		if p+12+n > len(b) {
			return nil, nil, false
		}
		body := b[p+8 : p+8+n]
		switch typ {
		case "IHDR":
			if n != 13 {
				return nil, nil, false
			}
			src.width, src.height = int(binary.BigEndian.Uint32(body)), int(binary.BigEndian.Uint32(body[4:]))
			depth, kind, interlace := body[8], body[9], body[12]
			ok := (kind == 2 && depth == 8) || (kind == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8))
			if !ok || interlace != 0 {
				return nil, nil, false
			}
			src.depth = int(depth)
			src.colors = map[byte]int{2: 3, 3: 1}[kind]
		case "PLTE":
			src.palette = body
		case "tRNS":
			return nil, nil, false
		case "IDAT":
			data.Write(body)
		}
		p += 12 + n
	}
	if src.colors == 0 || (src.colors == 1 && len(src.palette) == 0) {
		return nil, nil, false
	}
	src.data = data.Bytes()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, nil, false
	}
	return src, rgb(img), true
}

// rgb returns the pixels of an opaque image as RGB bytes, row by row.
func rgb(img image.Image) []byte {
	r := img.Bounds()
	out := make([]byte, 0, r.Dx()*r.Dy()*3)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			out = append(out, byte(cr>>8), byte(cg>>8), byte(cb>>8))
		}
	}
	return out
}

var (
	xrefRE    = regexp.MustCompile(`(?s)xref\s+(\d+)\s+(\d+)\s+(.*?)trailer\s*(<<.*?>>)\s*startxref\s+(\d+)\s+%%EOF\s*$`)
	imageRE   = regexp.MustCompile(`(?s)^(\d+)\s+0\s+obj\s*<<(/Type /XObject\s*/Subtype /Image\s.*?)>>\s*stream\r?\n`)
	intKeyRE  = func(key string) *regexp.Regexp { return regexp.MustCompile(`/` + key + `\s+(\d+)(?:\s|/|$)`) }
	widthRE   = intKeyRE("Width")
	heightRE  = intKeyRE("Height")
	lengthRE  = intKeyRE("Length")
	bpcRE     = intKeyRE("BitsPerComponent")
	csRE      = regexp.MustCompile(`/ColorSpace\s*(\[[^\]]*\]|/\w+|\d+\s+0\s+R)`)
	flateOnly = regexp.MustCompile(`/Filter\s*/FlateDecode\s*(?:/|$)`)
)

// withPNGs rewrites a PDF that Chromium wrote (one cross-reference table,
// no update), holding each image whose pixels are those of one of pngs in
// that PNG's bytes. It returns the PDF and how many images it rewrote;
// the PDF unchanged when none got smaller.
func withPNGs(pdf []byte, pngs map[[32]byte]*sourcePNG) ([]byte, int, error) {
	m := xrefRE.FindSubmatch(pdf)
	if m == nil || bytes.Contains(m[4], []byte("/Prev")) {
		return pdf, 0, fmt.Errorf("%w: not a single cross-reference table", ErrNoRewrite)
	}
	first, _ := strconv.Atoi(string(m[1]))
	count, _ := strconv.Atoi(string(m[2]))
	xrefAt, _ := strconv.Atoi(string(m[5]))
	entries := bytes.Fields(m[3])
	if first != 0 || len(entries) != 3*count || xrefAt > len(pdf) {
		return pdf, 0, fmt.Errorf("%w: unexpected cross-reference table", ErrNoRewrite)
	}
	type obj struct{ n, at int }
	var objs []obj
	for i := range count {
		if string(entries[3*i+2]) != "n" {
			continue
		}
		at, err := strconv.Atoi(string(entries[3*i]))
		if err != nil || at <= 0 || at >= xrefAt {
			return pdf, 0, fmt.Errorf("%w: object %d at %q", ErrNoRewrite, i, entries[3*i])
		}
		objs = append(objs, obj{i, at})
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].at < objs[j].at })
	if len(objs) == 0 {
		return pdf, 0, fmt.Errorf("%w: no objects", ErrNoRewrite)
	}

	var out bytes.Buffer
	out.Write(pdf[:objs[0].at])
	offsets := make([]int, count)
	replaced := 0
	for i, o := range objs {
		end := xrefAt
		if i+1 < len(objs) {
			end = objs[i+1].at
		}
		offsets[o.n] = out.Len()
		body := pdf[o.at:end]
		if better, ok := reembed(body, o.n, pngs); ok {
			out.Write(better)
			replaced++
			continue
		}
		out.Write(body)
	}
	if replaced == 0 {
		return pdf, 0, nil
	}
	at := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n", count)
	for i := range count {
		if offsets[i] == 0 {
			fmt.Fprintf(&out, "%s %s %s \n", entries[3*i], entries[3*i+1], entries[3*i+2])
			continue
		}
		fmt.Fprintf(&out, "%010d 00000 n \n", offsets[i])
	}
	fmt.Fprintf(&out, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", m[4], at)
	return out.Bytes(), replaced, nil
}

// reembed returns object n (body, as the PDF holds it) with its image
// taken from a PNG of the same pixels, if there is one and it is smaller.
func reembed(body []byte, n int, pngs map[[32]byte]*sourcePNG) ([]byte, bool) {
	h := imageRE.FindSubmatchIndex(body)
	if h == nil {
		return nil, false
	}
	dict := body[h[4]:h[5]]
	w, hgt, length, bpc := intOf(widthRE, dict), intOf(heightRE, dict), intOf(lengthRE, dict), intOf(bpcRE, dict)
	cs := csRE.FindSubmatch(dict)
	if w <= 0 || hgt <= 0 || length <= 0 || bpc != 8 || cs == nil || !flateOnly.Match(dict) ||
		bytes.Contains(dict, []byte("/SMask")) || bytes.Contains(dict, []byte("/DecodeParms")) || bytes.Contains(dict, []byte("/Decode ")) {
		return nil, false
	}
	start := h[1]
	if start+length > len(body) {
		return nil, false
	}
	zr, err := zlib.NewReader(bytes.NewReader(body[start : start+length]))
	if err != nil {
		return nil, false
	}
	pixels, err := io.ReadAll(io.LimitReader(zr, int64(w*hgt*3+1)))
	if err != nil || len(pixels) != w*hgt*3 {
		return nil, false
	}
	src, ok := pngs[sha256.Sum256(pixels)]
	if !ok || src.width != w || src.height != hgt || len(src.data) >= length {
		return nil, false
	}
	space := string(cs[1])
	if src.colors == 1 {
		space = fmt.Sprintf("[/Indexed %s %d <%X>]", space, len(src.palette)/3-1, src.palette)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d 0 obj\n<</Type /XObject\n/Subtype /Image\n/Width %d\n/Height %d\n/ColorSpace %s\n/BitsPerComponent %d\n"+
		"/Filter /FlateDecode\n/DecodeParms <</Predictor 15 /Colors %d /BitsPerComponent %d /Columns %d>>\n/Length %d>> stream\n",
		n, w, hgt, space, src.depth, src.colors, src.depth, w, len(src.data))
	b.Write(src.data)
	b.WriteString("\nendstream\nendobj\n")
	return b.Bytes(), true
}

func intOf(re *regexp.Regexp, dict []byte) int {
	m := re.FindSubmatch(dict)
	if m == nil {
		return -1
	}
	v, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return -1
	}
	return v
}
