"""workload_text.py: the course's text workload in CPython: take chapters of
the corpus (cycling through its chapters), collapse their spaces, wrap every
paragraph to WIDTH columns and count words and lines, as lib/workload's text
workload does.

    python3 workload_text.py [--variants ...] [--rotate K] [--width 72] CORPUS CHAPTERS

Prints the JSON summary of _report.py: per variant the seconds, the chapters
formatted (items) and the words and lines written in all.
"""
import functools

import _variants


def format_chapter(chapter, width=72):
    """Wrap each paragraph (paragraphs are separated by a blank line) to width
    columns; return the text, its words and its lines."""
    out, words = [], 0
    for para in chapter.split(b"\n\n"):
        ws = para.split()
        if not ws:
            continue
        if out:
            out.append(b"")  # a blank line between paragraphs
        line = ws[0]
        for w in ws[1:]:
            if len(line) + 1 + len(w) > width:
                out.append(line)
                line = w
            else:
                line += b" " + w
        out.append(line)
        words += len(ws)
    return b"\n".join(out) + b"\n", words, len(out)


def counts(chapter, width):
    _, words, lines = format_chapter(chapter, width)
    return words, lines


def split_chapters(text):
    """Cut text before every line that starts with CHAPTER."""
    parts = text.split(b"\nCHAPTER")
    return [p if i == 0 else b"CHAPTER" + p for i, p in enumerate(parts) if p.strip()]


def summarize(results):
    return {"words": sum(w for w, _ in results), "lines": sum(n for _, n in results)}


if __name__ == "__main__":  # the guard: spawned children import this file
    ap = _variants.arguments(__doc__)
    ap.add_argument("--width", type=int, default=72)
    ap.add_argument("corpus")
    ap.add_argument("chapters", type=int)
    args = ap.parse_args()
    with open(args.corpus, "rb") as f:
        chapters = split_chapters(f.read())
    items = [chapters[i % len(chapters)] for i in range(args.chapters)]
    _variants.run("text", args, functools.partial(counts, width=args.width), items, summarize)
