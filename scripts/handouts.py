#!/usr/bin/env python3
"""handouts.py turns executed notebooks into a folder of handouts to share.

    scripts/py scripts/handouts.py --out build/handouts [--pdf bin/pdf] build/notebooks/*.ipynb

The folder holds one HTML page per chapter, index.html (the chapters in
order, a line on each, the machine the figures were measured on, links to
every page and PDF) and assets/ with what the pages share: the scripts the
interactive charts need (ECharts, require.js, copied from build/npm, which
scripts/browser/install.sh fills at the versions
scripts/browser/npm/package-lock.json pins) and the style sheet. Pages name
their assets by relative paths and load nothing from the network, so the
folder works copied to another computer, mailed, or opened offline; with
scripts off, every chart shows its static image. Links to the repository's
files (../lib/x.go in a notebook) point at the repository online.

--pdf runs that command on the chapter pages before the index is written
(BIN -out OUT/pdf OUT/NN-*.html), so the index links the PDFs it made.

A chapter's line on the index is its notebook's metadata gp.summary, or else
the first sentence of the notebook's first paragraph. The machine comes from
the metadata scripts/nbrun.py records (gp: cores, cpu, platform, go, date).
"""
import argparse
import html
import os
import posixpath
import re
import shutil
import sys

import nbformat

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TEMPLATES = os.path.join(ROOT, "scripts", "templates")
NPM = os.path.join(ROOT, "build", "npm", "node_modules")
# What the pages load, beside them in assets/, and the licences that go with it.
ASSETS = {
    "echarts.min.js": "echarts/dist/echarts.min.js",
    "echarts.LICENSE": "echarts/LICENSE",
    "echarts.NOTICE": "echarts/NOTICE",
    "require.js": "requirejs/require.js",
}
# A chapter page's name: what the PDF step and the index count on.
CHAPTER = re.compile(r"^\d\d-[\w-]+\.html$")
# Longest "This chapter ..." sentence that still reads as one line.
SUMMARY_LEN = 120
# A link in a notebook to a file of the repository (../lib/x.go) points at
# the repository online in a handout, where no checkout is beside it.
RELATIVE_HREF = re.compile(r'(<a\b[^>]*?\bhref=")(?![a-z][a-z0-9+.-]*:|#|/)([^"]+)"', re.I)


class BuildError(Exception):
    pass


# TeX in markdown ($x$, $$x$$, \(x\)), outside code: the handouts load no
# MathJax (it would come from a CDN), so it would show as typed.
MATH = re.compile(r"\$\$.+?\$\$|(?<![\w$\\])\$(?=\S)[^$\n]*?[\\^_{}][^$\n]*?(?<=\S)\$|\\\(.+?\\\)", re.S)
CODE = re.compile(r"(?s)```.*?```|`[^`\n]*`")


def math_in(nb):
    """The first piece of TeX in nb's markdown, or None."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = MATH.search(CODE.sub("", cell.source))
            if m:
                return m.group(0)
    return None


def first_markdown(nb):
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            return cell.source
    return ""


def title_of(nb, stem):
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", first_markdown(nb), re.M)
    return m.group(1) if m else stem


def summary_of(nb):
    """One line on the chapter, in markdown (see the module doc)."""
    given = nb.metadata.get("gp", {}).get("summary")
    if given:
        return given.strip()
    sentences = []
    for p in re.split(r"\n\s*\n", first_markdown(nb)):
        p = p.strip()
        # Headings, quotes, lists and bold lead-ins ("**What you will learn:**") are not the intro.
        if not p or p[0] in "#>-*|" or re.match(r"\d+\.\s", p):
            continue
        sentences += re.split(r"(?<=[.?!])\s+(?=[A-Z`*\"'(\[])", " ".join(p.split()))
    # A short sentence that says what the chapter does is the best line;
    # else the first one, unless it only announces a quote or a list.
    for s in sentences:
        if re.match(r"This (chapter|notebook)\b", s) and len(s) <= SUMMARY_LEN:
            return s
    return next((s for s in sentences if not s.endswith(":")), "")


def inline_markdown(text):
    """Markdown of one line as inline HTML."""
    import mistune

    out = mistune.html(text).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", out, flags=re.S)


def human_size(n):
    for unit in ("B", "KB", "MB"):
        if n < 1000 or unit == "MB":
            return ("%.1f %s" if unit == "MB" else "%.0f %s") % (n, unit)
        n /= 1000.0


def copy_assets(out):
    dest = os.path.join(out, "assets")
    os.makedirs(dest, exist_ok=True)
    for name, src in ASSETS.items():
        path = os.path.join(NPM, src)
        if not os.path.exists(path):
            raise BuildError("%s is missing: run scripts/browser/install.sh (make browser-setup)" % path)
        shutil.copyfile(path, os.path.join(dest, name))


def clean(out):
    """Remove what an earlier build wrote, so no stale chapter stays."""
    if not os.path.isdir(out):
        return
    for name in os.listdir(out):
        path = os.path.join(out, name)
        if name in ("assets", "pdf") and os.path.isdir(path):
            shutil.rmtree(path)
        elif name == "index.html" or CHAPTER.match(name):
            os.remove(path)


def source_url():
    """Where the repository's files are online, from go.mod's module path."""
    with open(os.path.join(ROOT, "go.mod"), encoding="utf-8") as f:
        module = re.search(r"^module\s+(\S+)", f.read(), re.M).group(1)
    return "https://%s/blob/main/" % module


def link_sources(page, pages, base):
    """Points links to repository files (relative to notebooks/) at base."""
    def fix(m):
        href = html.unescape(m.group(2))
        if href.split("#")[0] in pages:
            return m.group(0)
        target = posixpath.normpath(posixpath.join("notebooks", href))
        if target.startswith(".."):
            return m.group(0)
        return '%s%s"' % (m.group(1), html.escape(base + target))
    return RELATIVE_HREF.sub(fix, page)


HEAD_STYLE = re.compile(r"(?s)\s*<style\b[^>]*>(.*?)</style>")


def share_styles(page, out):
    """Moves the style sheets of a page's head (JupyterLab's theme: some
    260 KB, the same for every page) into one file in assets/, named by
    its content, and links it."""
    import hashlib

    end = page.index("</head>")
    head = page[:end]
    css = "\n".join(m.group(1).strip() for m in HEAD_STYLE.finditer(head))
    if not css:
        return page
    name = "assets/handout-%s.css" % hashlib.sha256(css.encode()).hexdigest()[:10]
    path = os.path.join(out, name)
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(css + "\n")
    first = HEAD_STYLE.search(head)
    head = head[:first.start()] + '\n<link rel="stylesheet" href="%s">' % name + HEAD_STYLE.sub("", head[first.start():])
    return head + page[end:]


def write_page(nb, stem, out, prev_page, next_page, pages, base):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="handout", extra_template_basedirs=[TEMPLATES])
    nb.metadata["title"] = title_of(nb, stem)  # the page's <title>; the file is not touched
    resources = {"metadata": {"name": stem}, "handout_prev": prev_page, "handout_next": next_page}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = share_styles(link_sources(body, pages, base), out)
    dest = os.path.join(out, stem + ".html")
    with open(dest + ".tmp", "w", encoding="utf-8") as f:
        f.write(body)
    os.replace(dest + ".tmp", dest)
    return dest


def machine_line(chapters):
    """The machine the figures come from, said once for all chapters."""
    gps = [c["gp"] for c in chapters]

    def values(key):
        return sorted({str(g[key]) for g in gps if g.get(key) not in (None, "")})

    parts = []
    cores, cpu = values("cores"), values("cpu")
    if cores:
        parts.append("%s cores" % " or ".join(cores) + (" (%s)" % "; ".join(cpu) if cpu else ""))
    for key in ("platform", "go"):
        if values(key):
            parts.append(", ".join(values(key)))
    dates = values("date")
    if dates:
        parts.append("run on " + (dates[0] if len(dates) == 1 else "%s to %s" % (dates[0], dates[-1])))
    missing = sum(1 for g in gps if not g.get("go"))
    if not parts:
        return "not recorded (these notebooks were not executed by make run)"
    line = html.escape(", ".join(parts))
    if missing:
        line += " (not recorded for %d of %d chapters)" % (missing, len(gps))
    return line


def run_line(gp):
    bits = []
    if gp.get("date"):
        bits.append("run on %s" % gp["date"])
    if gp.get("free_cores") is not None and gp.get("cores"):
        bits.append("%s of %s cores free" % (gp["free_cores"], gp["cores"]))
    return ", ".join(bits)


INDEX_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; }
.machine { color: #444; }
ol { padding-left: 0; list-style: none; }
li { margin: 1em 0; }
.title { font-weight: 600; }
.summary { display: block; }
.links { font-size: 0.9em; color: #555; }
code { font-size: 0.95em; background: #f3f3f3; padding: 0 0.2em; }
"""


def write_index(out, chapters, title):
    pdf_dir = os.path.join(out, "pdf")
    course_pdf = os.path.join(pdf_dir, "course.pdf")
    rows = []
    for c in chapters:
        links = ['<a href="%s">HTML</a>' % html.escape(c["page"])]
        pdf = os.path.join(pdf_dir, c["stem"] + ".pdf")
        if os.path.exists(pdf):
            links.append('<a href="pdf/%s.pdf">PDF</a> (%s)' % (html.escape(c["stem"]), human_size(os.path.getsize(pdf))))
        run = run_line(c["gp"])
        if run:
            links.append(html.escape(run))
        rows.append(
            '<li><a class="title" href="%s">%s</a>\n<span class="summary">%s</span>\n<span class="links">%s</span></li>'
            % (html.escape(c["page"]), inline_markdown(c["title"]), inline_markdown(c["summary"]), " · ".join(links))
        )
    whole = ""
    if os.path.exists(course_pdf):
        whole = '<p>The whole course as one PDF: <a href="pdf/course.pdf">course.pdf</a> (%s).</p>\n' % human_size(
            os.path.getsize(course_pdf))
    page = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>%(title)s: handouts</title>
<style>%(style)s</style>
</head>
<body>
<h1>%(title)s</h1>
<p class="machine">Figures measured on: %(machine)s.</p>
<p>Each chapter is one page: its text, its code and the output of the run, charts included. The pages need no
network: copy or mail this whole folder (the pages load their scripts from <code>assets/</code> beside them).
With scripts allowed the charts are interactive; without, each shows its static image.</p>
%(whole)s<ol>
%(rows)s
</ol>
</body>
</html>
""" % {"title": html.escape(title), "style": INDEX_STYLE, "machine": machine_line(chapters),
       "whole": whole, "rows": "\n".join(rows)}
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write(page)


def leaks(out):
    """file:// URLs and this machine's paths anywhere in the folder."""
    from nbrun import machine_path_pattern

    paths = machine_path_pattern()
    found = []
    for dirpath, _, files in os.walk(out):
        for name in files:
            if not name.endswith((".html", ".js", ".css")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            hits = sorted(set(re.findall(r"file://[^\s\"'<>)]*", text, re.I) + paths.findall(text)))
            if hits:
                found.append("%s: %s" % (os.path.relpath(path, out), ", ".join(hits[:3])))
    return found


def build(notebooks, out, pdf=None, title="Go Parallelism"):
    """Writes the handouts of notebooks (paths, in order) into out."""
    if not notebooks:
        raise BuildError("no notebooks given")
    os.makedirs(out, exist_ok=True)
    clean(out)
    copy_assets(out)
    stems = [os.path.splitext(os.path.basename(p))[0] for p in notebooks]
    bad = [s for s in stems if not CHAPTER.match(s + ".html")]
    if bad:
        raise BuildError("notebook names must look like NN-name.ipynb: %s" % ", ".join(bad))
    chapters, pages, base = [], {s + ".html" for s in stems} | {"index.html"}, source_url()
    for i, (path, stem) in enumerate(zip(notebooks, stems)):
        nb = nbformat.read(path, as_version=4)
        tex = math_in(nb)
        if tex:
            print("handouts: warning: %s has math (%s), which the pages show as typed: they load no MathJax"
                  % (os.path.basename(path), tex[:40]), file=sys.stderr)
        prev_page = stems[i - 1] + ".html" if i > 0 else None
        next_page = stems[i + 1] + ".html" if i + 1 < len(stems) else None
        chapters.append({
            "stem": stem, "page": stem + ".html", "title": title_of(nb, stem), "summary": summary_of(nb),
            "gp": dict(nb.metadata.get("gp", {})),
            "file": write_page(nb, stem, out, prev_page, next_page, pages, base),
        })
    if pdf:
        import subprocess

        cmd = [pdf, "-out", os.path.join(out, "pdf")] + [c["file"] for c in chapters]
        if subprocess.call(cmd) != 0:
            raise BuildError("the PDF step failed: %s" % " ".join(cmd))
    write_index(out, chapters, title)
    found = leaks(out)
    if found:
        raise BuildError("the handouts name files of this machine:\n  " + "\n  ".join(found))
    return chapters


def report(out):
    """Prints the folder's files by size, and the total."""
    sizes = []
    for dirpath, _, files in os.walk(out):
        for name in files:
            path = os.path.join(dirpath, name)
            sizes.append((os.path.getsize(path), os.path.relpath(path, out)))
    for size, name in sorted(sizes, key=lambda s: s[1]):
        print("  %9s  %s" % (human_size(size), name))
    print("  %9s  in all (%d files) in %s" % (human_size(sum(s for s, _ in sizes)), len(sizes), out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="+", help="executed notebooks, in chapter order")
    ap.add_argument("--out", required=True, help="folder for the handouts")
    ap.add_argument("--pdf", help="command that prints the chapter pages to PDF (-out DIR page.html...)")
    ap.add_argument("--title", default="Go Parallelism", help="the course's name on the index")
    ap.add_argument("--quiet", action="store_true", help="do not list the files written")
    args = ap.parse_args()
    notebooks = sorted(args.notebooks, key=os.path.basename)
    try:
        build(notebooks, args.out, pdf=args.pdf, title=args.title)
    except BuildError as e:
        print("handouts: %s" % e, file=sys.stderr)
        return 1
    if args.quiet:
        print("handouts: %d chapters in %s" % (len(notebooks), args.out))
    else:
        report(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
