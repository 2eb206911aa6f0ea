"""Tests of chartcheck.py: it passes charts that read well and rejects each
kind of chart that does not.

    scripts/py -m unittest discover -s scripts -p 'test_*.py'
"""
import json
import os
import unittest

import chartcheck

HERE = os.path.dirname(os.path.abspath(__file__))


def html(option, lint=None):
    """A chart output as lib/chart writes it, around an option."""
    attr = ""
    if lint:
        attr = ' data-lint="%s"' % json.dumps(lint).replace("&", "&amp;").replace('"', "&#34;")
    return ('<div id="gpc-1" class="gp-chart" data-chart="static"%s style="">\n<script>\n(function () {\n'
            '  var id = "gpc-1", url = "u", option = %s;\n  var me = document.currentScript;\n})();\n</script>\n</div>\n'
            % (attr, option))


def bars(values, labelled=(), y=None):
    y = y or {"type": "value", "name": "time (ms)", "min": 0, "max": 120, "interval": 20}
    data = [{"value": v, "label": {"show": True, "formatter": str(v)}} if i in labelled else {"value": v}
            for i, v in enumerate(values)]
    return {"xAxis": [{"type": "category", "data": [str(i) for i in range(len(values))]}], "yAxis": [y],
            "series": [{"type": "bar", "name": "s", "data": data}]}


class ChartCheckTest(unittest.TestCase):
    def check(self, option, lint=None):
        return chartcheck.problems(html(json.dumps(option), lint))

    def test_readable_bars_pass(self):
        self.assertEqual(self.check(bars([100, 50, 30])), [])

    def test_small_bar_without_label_fails(self):
        got = self.check(bars([100, 1.5, 30]))
        self.assertEqual(len(got), 1)
        self.assertIn("bar 2: 1.5 is under 2% of the axis maximum 120", got[0])

    def test_zero_bar_without_label_fails(self):
        self.assertEqual(len(self.check(bars([100, 0]))), 1)

    def test_small_bar_with_label_passes(self):
        self.assertEqual(self.check(bars([100, 1.5, 30], labelled={1})), [])

    def test_small_bar_on_log_axis_passes(self):
        y = {"type": "log", "logBase": 10, "name": "time (µs)", "min": 0.1, "max": 10000}
        self.assertEqual(self.check(bars([1000, 0.2], y=y)), [])

    def test_axis_max_from_data_when_unset(self):
        self.assertEqual(len(self.check(bars([100, 1.5], y={"name": "time (ms)"}))), 1)

    def test_missing_unit_fails(self):
        for name in ("", "milliseconds", "time in ms", "CPU time / wall time", "()"):
            with self.subTest(name=name):
                got = self.check(bars([1, 2], y={"type": "value", "name": name, "max": 2}))
                self.assertEqual(len(got), 1, got)
                self.assertIn("names no unit", got[0])

    def test_unit_forms_pass(self):
        for name in ("time (ms)", "goroutines (count)", "speedup over pool(2) (cores)", "memory (KiB)"):
            with self.subTest(name=name):
                self.assertEqual(self.check(bars([1, 2], y={"type": "value", "name": name, "max": 2})), [])

    def test_value_x_axis_needs_unit_category_does_not(self):
        lines = {"xAxis": [{"type": "value", "name": "workers"}], "yAxis": [{"type": "value", "name": "time (ms)"}],
                 "series": [{"type": "line", "name": "s", "data": [{"value": [1, 2]}]}]}
        self.assertEqual(len(self.check(lines)), 1)
        lines["xAxis"][0]["name"] = "workers (count)"
        self.assertEqual(self.check(lines), [])

    def test_histogram_bins(self):
        hist = {"xAxis": [{"type": "value", "name": "latency (ms)"}],
                "yAxis": [{"type": "value", "name": "tasks (count)", "max": 60}],
                "series": [{"type": "custom", "name": "count", "renderItem": "function (params, api) { return null; }",
                            "data": [{"value": [0, 10, 59, 0]}, {"value": [10, 20, 0, 0]}, {"value": [20, 30, 1, 0]}]}]}
        got = chartcheck.problems(html(json.dumps(hist).replace('"function (params, api) { return null; }"',
                                                               "function (params, api) { return null; }")))
        self.assertEqual(len(got), 1, got)  # the bin of 1, not the empty one
        self.assertIn("bar 3", got[0])
        hist["series"][0]["data"][2]["value"][3] = 1
        self.assertEqual(self.check(hist), [])

    def test_speedup_needs_ideal(self):
        y = {"type": "value", "name": "speedup (x)", "max": 8}
        self.assertEqual(self.check(bars([7, 2], y=y)), ["a speedup without a dashed ideal line"])
        with_ideal = bars([7, 2], y=y)
        with_ideal["series"].append({"type": "custom", "name": "ideal", "data": [[0, 2], [1, 2]]})
        self.assertEqual(self.check(with_ideal), [])
        lines = {"xAxis": [{"type": "value", "name": "workers (count)"}], "yAxis": [y],
                 "series": [{"type": "line", "name": "pool", "data": []},
                            {"type": "line", "name": "ideal", "data": [], "lineStyle": {"type": "dashed"}}]}
        self.assertEqual(self.check(lines), [])

    def test_lint_attribute_reported(self):
        got = self.check(bars([100, 50]), lint=['label outside the chart: "w159" spans 10..40 x 398..410 px'])
        self.assertEqual(got, ['lib/chart: label outside the chart: "w159" spans 10..40 x 398..410 px'])

    def test_functions_and_quotes_parse(self):
        src = ('{"xAxis":[{"type":"value","name":"time (ms)"}],"yAxis":[{"type":"category","data":["it\'s","b"]}],'
               '"tooltip":{"formatter":function (p) { var n = [\'it\\\'s\', "b"]; return n[p.value[0]] + \' {\' ; }},'
               '"series":[{"type":"custom","renderItem":function (params, api) { if (a) { return {x: 1}; } return null; },'
               '"data":[{"value":[0,1,2,3]}]}]}')
        self.assertEqual(chartcheck.problems(html(src)), [])

    def test_lib_chart_output(self):
        """Two charts lib/chart wrote (the browser check's fixture): the first
        reads well as saved, the second has no unit on its value axis."""
        path = os.path.join(HERE, "browser", "cmd", "handouts", "testdata", "unreadable.html")
        with open(path, encoding="utf-8") as f:
            page = f.read()
        first, second = page.split('<div id="gpc-')[1:3]
        self.assertEqual(chartcheck.problems('<div id="gpc-' + first), [])
        got = chartcheck.problems('<div id="gpc-' + second)
        self.assertEqual(len(got), 2, got)
        self.assertTrue(got[0].startswith("lib/chart: axis without a unit"), got)
        self.assertIn("the y axis '' names no unit", got[1])


if __name__ == "__main__":
    unittest.main()
