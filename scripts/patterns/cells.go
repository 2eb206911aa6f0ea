package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// LibPath is the import path of the course library; any package under it
// makes a cell a lesson's cell rather than a pattern a reader can copy.
const LibPath = "github.com/go-parallelism/go-parallelism/lib"

// A Program is one pattern cell made into a main package: its own
// declarations, the earlier ones it needs, and its body as func main.
type Program struct {
	Notebook string // as given on the command line
	Cell     int    // 1-based among all the notebook's cells, as nbcheck counts
	Dir      string // slash-separated directory of the program in the module
	Source   []byte // main.go before goimports
	Imports  []string
}

// ProblemKind tells a cell that needs the course library from one that
// does not compile.
type ProblemKind int

const (
	// NeedsLib: the cell refers to an earlier declaration that uses the library.
	NeedsLib ProblemKind = iota
	// DoesNotCompile: the cell's program fails go build.
	DoesNotCompile
)

func (k ProblemKind) String() string {
	if k == NeedsLib {
		return "needs the course library"
	}
	return "does not compile"
}

// A Problem is a pattern cell that a reader could not copy into a main.go.
type Problem struct {
	Notebook string
	Cell     int
	Kind     ProblemKind
	Ident    string // NeedsLib: the earlier declaration the cell needs
	Message  string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s cell #%d %s: %s", p.Notebook, p.Cell, p.Kind, strings.TrimSpace(p.Message))
}

// decl is one top-level declaration of a cell.
type decl struct {
	cell  int
	names []string // declared names; methods as Type.Method
	text  string   // source, doc comment included
	line  int      // the cell's line the text starts on
	refs  []string // names it uses that are not its own locals
	lib   string   // the library package it uses, if any
}

// cellKind classifies a code cell.
type cellKind int

const (
	pattern cellKind = iota
	preamble
	shell
	test
	exercise
	usesLib
)

type notebook struct {
	Cells []struct {
		CellType string          `json:"cell_type"`
		Source   json.RawMessage `json:"source"`
		Metadata struct {
			Tags []string `json:"tags"`
		} `json:"metadata"`
	} `json:"cells"`
}

// source reads a cell's source, stored as a string or a list of lines.
func source(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", err
	}
	return strings.Join(lines, ""), nil
}

// Summary counts a notebook's code cells by what the check made of them.
type Summary struct {
	Notebook string
	Code     int // code cells
	Patterns int // pattern cells, each made a program
}

// Programs reads a notebook and makes a program of each pattern cell. A cell
// that needs an earlier declaration using the library is a problem, not a program.
func Programs(file, dir string) ([]Program, []Problem, Summary, error) {
	sum := Summary{Notebook: file}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, sum, err
	}
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, nil, sum, fmt.Errorf("%s: %w", file, err)
	}
	var (
		progs    []Program
		problems []Problem
		latest   = map[string]*decl{}    // the last declaration of each name so far
		imports  = map[string]string{}   // package name -> import spec, the last import of each name so far
		libNames = map[string]bool{}     // names of the library's packages imported so far
		methods  = map[string][]string{} // type -> its methods' keys
	)
	first := true
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		sum.Code++
		idx := i + 1
		src, err := source(c.Source)
		if err != nil {
			return nil, nil, sum, fmt.Errorf("%s cell #%d: %w", file, idx, err)
		}
		goSrc, kind, hasMain := split(src)
		if first {
			first = false
			kind = preamble
		}
		if slices.ContainsFunc(c.Metadata.Tags, func(t string) bool { return t == "exercise" || t == "check" || t == "solution" }) && kind == pattern {
			kind = exercise
		}
		if kind == shell || kind == preamble {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), "cell.go", goSrc, parser.ParseComments)
		if err != nil {
			if kind == pattern {
				problems = append(problems, Problem{file, idx, DoesNotCompile, "", err.Error()})
			}
			continue
		}
		cellImports := map[string]string{}
		for _, s := range f.Imports {
			p := strings.Trim(s.Path.Value, "`\"")
			name := packageName(p)
			if s.Name != nil {
				name = s.Name.Name
			}
			if p == LibPath || strings.HasPrefix(p, LibPath+"/") {
				kind = usesLib
				libNames[name] = true
				continue
			}
			if name != "_" && name != "." {
				cellImports[name] = strconv.Quote(p)
				if s.Name != nil {
					cellImports[name] = name + " " + strconv.Quote(p)
				}
			}
		}
		unresolved := map[*ast.Ident]bool{}
		for _, id := range f.Unresolved {
			unresolved[id] = true
		}
		var decls []*decl
		var body *ast.BlockStmt
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" && hasMain {
				body = fd.Body
				continue
			}
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				continue
			}
			decls = append(decls, newDecl(f, goSrc, d, idx, unresolved, libNames))
		}
		var bodyRefs []string
		bodyLib := ""
		if body != nil {
			bodyRefs, bodyLib = refs(f, body, unresolved, libNames)
		}
		if bodyLib != "" || slices.ContainsFunc(decls, func(d *decl) bool { return d.lib != "" }) {
			kind = usesLib
		}
		if kind == pattern {
			sum.Patterns++
			p, prob := program(file, idx, dir, goSrc, body, bodyRefs, decls, latest, methods, imports, cellImports)
			if prob != nil {
				problems = append(problems, *prob)
			} else {
				progs = append(progs, p)
			}
		}
		// What this cell declares and imports stays for the cells after it.
		for name, p := range cellImports {
			imports[name] = p
		}
		for _, d := range decls {
			for _, n := range d.names {
				latest[n] = d
				if typ, _, ok := strings.Cut(n, "."); ok && !slices.Contains(methods[typ], n) {
					methods[typ] = append(methods[typ], n)
				}
			}
		}
	}
	return progs, problems, sum, nil
}

// split turns a cell into a Go file whose lines are the cell's lines: shell
// and magic lines blanked, the %% (or %main) line replaced by func main's
// opening. It tells a shell or %test cell, and whether the cell has a body.
func split(src string) (goSrc string, kind cellKind, hasMain bool) {
	lines := strings.Split(src, "\n")
	code := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "!"):
			lines[i] = ""
		case strings.HasPrefix(t, "%test"):
			kind = test
			lines[i] = ""
		case !hasMain && (t == "%%" || strings.HasPrefix(t, "%% ") || t == "%main" || strings.HasPrefix(t, "%main ")):
			lines[i] = "func main() {"
			hasMain = true
		case strings.HasPrefix(t, "%"):
			lines[i] = ""
		case t != "":
			code = true
		}
	}
	if !code && !hasMain && kind != test {
		kind = shell
	}
	// The file's line n+1 is the cell's line n.
	goSrc = "package main\n" + strings.Join(lines, "\n")
	if hasMain {
		goSrc += "\n}\n"
	}
	return goSrc, kind, hasMain
}

var versionSuffix = regexp.MustCompile(`^v[0-9]+$`)

// packageName guesses a package's name from its import path, as goimports does.
func packageName(p string) string {
	elems := strings.Split(p, "/")
	name := elems[len(elems)-1]
	if versionSuffix.MatchString(name) && len(elems) > 1 {
		name = elems[len(elems)-2]
	}
	return strings.TrimPrefix(name, "go-")
}

// newDecl records a top-level declaration: its names, text and what it uses.
func newDecl(f *ast.File, src string, d ast.Decl, cell int, unresolved map[*ast.Ident]bool, libNames map[string]bool) *decl {
	x := &decl{cell: cell}
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) > 0 {
			x.names = []string{receiverType(d.Recv.List[0].Type) + "." + d.Name.Name}
		} else {
			x.names = []string{d.Name.Name}
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				x.names = append(x.names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					x.names = append(x.names, n.Name)
				}
			}
		}
	}
	// Positions in a file parsed from a string are offsets plus one. The
	// text leaves out the doc comment: gofmt would move the //line directive
	// put before it to its end.
	x.text = src[d.Pos()-1 : d.End()-1]
	x.line = strings.Count(src[:d.Pos()-1], "\n") // the file's first line is the package clause
	x.refs, x.lib = refs(f, d, unresolved, libNames)
	return x
}

// receiverType is the name of a method's receiver type: T of *T, T[K] and so on.
func receiverType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// refs lists the names n uses that the cell's file does not declare
// locally (unresolved, or declared at the file's top level), and the first
// library package it uses.
func refs(f *ast.File, n ast.Node, unresolved map[*ast.Ident]bool, libNames map[string]bool) (names []string, lib string) {
	ast.Inspect(n, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		switch {
		case unresolved[id]:
			if libNames[id.Name] && lib == "" {
				lib = id.Name
			}
		case id.Obj != nil && f.Scope.Lookup(id.Name) == id.Obj:
		default:
			return true
		}
		if !slices.Contains(names, id.Name) {
			names = append(names, id.Name)
		}
		return true
	})
	return names, lib
}

// program assembles a pattern cell's main.go: the imports it may use, the
// earlier declarations it needs, its own, and its body as func main. Each
// piece starts with a //line directive, so that the compiler's messages
// name the notebook, the cell and the cell's line.
func program(file string, cell int, dir string, src string, body *ast.BlockStmt, bodyRefs []string,
	own []*decl, latest map[string]*decl, methods map[string][]string, imports, cellImports map[string]string) (Program, *Problem) {
	ownNames := map[string]bool{}
	for _, d := range own {
		for _, n := range d.names {
			ownNames[n] = true
		}
	}
	var need []*decl // earlier declarations, in the order first needed
	seen := map[string]bool{}
	queue := slices.Clone(bodyRefs)
	for _, d := range own {
		queue = append(queue, d.refs...)
		for _, n := range d.names {
			if typ, _, ok := strings.Cut(n, "."); ok {
				queue = append(queue, typ) // a method of an earlier type needs that type
			}
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if seen[n] || ownNames[n] {
			continue
		}
		seen[n] = true
		d := latest[n]
		if d == nil {
			continue // a package, a builtin, or undefined: the compiler tells
		}
		if d.lib != "" {
			return Program{}, &Problem{file, cell, NeedsLib, n,
				fmt.Sprintf("uses %s, declared in cell #%d with the course library's package %s", n, d.cell, d.lib)}
		}
		if !slices.Contains(need, d) {
			need = append(need, d)
		}
		queue = append(queue, d.refs...)
		for _, m := range methods[n] {
			if !ownNames[m] {
				queue = append(queue, m)
			}
		}
	}
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n")
	all := map[string]string{}
	for name, p := range imports {
		all[name] = p
	}
	for name, p := range cellImports {
		all[name] = p
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)
	var paths []string
	for _, name := range names {
		fmt.Fprintf(&b, "\t%s\n", all[name])
		spec := strings.Fields(all[name])
		p, _ := strconv.Unquote(spec[len(spec)-1])
		paths = append(paths, p)
	}
	b.WriteString(")\n")
	slices.SortStableFunc(need, func(a, b *decl) int { return a.cell - b.cell })
	for _, d := range append(need, own...) {
		fmt.Fprintf(&b, "\n//line %s cell #%d:%d\n%s\n", file, d.cell, d.line, d.text)
	}
	if body == nil {
		b.WriteString("\nfunc main() {}\n")
	} else {
		// The body's text, from the end of the %% line to the closing brace.
		line := strings.Count(src[:body.Lbrace-1], "\n") // the %% line's number in the cell
		inner := src[body.Lbrace : body.Rbrace-1]
		fmt.Fprintf(&b, "\nfunc main() {\n//line %s cell #%d:%d%s}\n", file, cell, line+1, inner)
	}
	return Program{Notebook: file, Cell: cell, Dir: path.Join(dir, fmt.Sprintf("cell%03d", cell)), Source: []byte(b.String()), Imports: paths}, nil
}

// sortProblems orders problems by notebook and cell.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.Notebook, b.Notebook); c != 0 {
			return c
		}
		return a.Cell - b.Cell
	})
}
