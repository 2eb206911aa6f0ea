"""chartcheck.py finds what makes a saved lib/chart chart hard to read.

A chart output of a notebook holds, in its text/html, the ECharts option the
interactive chart draws (a JavaScript object literal: JSON plus a few
functions) and, when lib/chart's own check (chart.Lint) found problems when it
rendered the chart, a data-lint attribute listing them. problems() reads both
and returns, as sentences:

  - every problem in data-lint (which also covers the static image: its text
    outside the image, measured with the static renderer's font metrics);
  - a value axis (type value or log) whose name gives no unit in parentheses,
    as "time (ms)";
  - a bar under SMALL_BAR of its axis's maximum, on a linear axis, without a
    value label (histogram bins included; an empty bin reads as empty);
  - a speedup (an axis in "x") without a dashed ideal to compare it with.

nbcheck.py --charts runs it over every chart of the notebooks it is given.
"""
import html as htmllib
import json
import re

SMALL_BAR = 0.02
OPTION = re.compile(r"option = (\{.*?\});\n  var me", re.S)
LINT = re.compile(r'class="gp-chart"[^>]*?\sdata-lint="([^"]*)"')
UNIT = re.compile(r"\S\s*\(\s*[^()]*[^()\s]\s*\)\s*$")


def strip_functions(src):
    """src with every JavaScript function replaced by a string, so that it
    parses as JSON; strings (double- or single-quoted) are skipped whole."""
    out, i, n = [], 0, len(src)
    while i < n:
        ch = src[i]
        if ch == '"':
            j = i + 1
            while src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
            continue
        if src.startswith("function", i) and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            k, depth = src.index("{", i), 0
            while True:
                c = src[k]
                if c == "\\":
                    k += 2
                    continue
                if c in "\"'":
                    k += 1
                    while src[k] != c:
                        k += 2 if src[k] == "\\" else 1
                elif c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            out.append('"<function>"')
            i = k + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_option(src):
    return json.loads(strip_functions(src))


def first(axis):
    if isinstance(axis, list):
        return axis[0] if axis else {}
    return axis or {}


def bar_values(series):
    """(index, value, labelled) for each bar of a series: bar series, and
    histogram bins (custom series of [lower, upper, count, labelled])."""
    data = series.get("data") or []
    if series.get("type") == "bar":
        shown = bool((series.get("label") or {}).get("show"))
        for i, d in enumerate(data):
            v, labelled = d, shown
            if isinstance(d, dict):
                v = d.get("value")
                if "label" in d:
                    labelled = bool((d.get("label") or {}).get("show"))
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                yield i, float(v), labelled
    elif series.get("type") == "custom":
        for i, d in enumerate(data):
            v = d.get("value") if isinstance(d, dict) else d
            if isinstance(v, list) and len(v) == 4 and v[2]:
                yield i, float(v[2]), bool(v[3])


def option_problems(o):
    out = []
    x, y = first(o.get("xAxis")), first(o.get("yAxis"))
    # ECharts' defaults: a category x axis, a value y axis.
    types = {"x": x.get("type") or "category", "y": y.get("type") or "value"}
    for name, axis in (("x", x), ("y", y)):
        if types[name] in ("value", "log") and not UNIT.search(axis.get("name") or ""):
            out.append("the %s axis %r names no unit in parentheses, as \"time (ms)\"" % (name, axis.get("name") or ""))
    series = o.get("series") or []
    if types["y"] == "value":
        top = y.get("max")
        if not isinstance(top, (int, float)):
            top = max([abs(v) for s in series for _, v, _ in bar_values(s)] or [0])
        for s in series:
            for i, v, labelled in bar_values(s):
                if abs(v) < SMALL_BAR * top and not labelled:
                    out.append("series %r, bar %d: %g is under %d%% of the axis maximum %g and has no value label"
                               % (s.get("name"), i + 1, v, round(100 * SMALL_BAR), top))
    if re.search(r"\(\s*x\s*\)\s*$", y.get("name") or ""):
        ideal = any((s.get("lineStyle") or {}).get("type") in ("dashed", "dotted") for s in series) or \
            (types["x"] == "category" and any(s.get("type") == "custom" for s in series))
        if not ideal:
            out.append("a speedup without a dashed ideal line")
    return out


def problems(chart_html):
    """What makes the chart in this text/html output hard to read."""
    out = []
    m = LINT.search(chart_html)
    if m:
        out += ["lib/chart: " + p for p in json.loads(htmllib.unescape(m.group(1)))]
    m = OPTION.search(chart_html)
    if not m:
        return out + ["no ECharts option found in the chart's HTML"]
    try:
        o = parse_option(m.group(1))
    except (ValueError, IndexError) as e:
        return out + ["the ECharts option does not parse: %s" % e]
    return out + option_problems(o)
