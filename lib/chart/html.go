package chart

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"strings"
)

// loader turns the static image into an interactive chart. It finds its
// chart through document.currentScript (JupyterLab runs output scripts
// before the output is in the document, so getElementById can fail), waits
// until the chart has a width, loads ECharts (from the Jupyter server's own
// copy first, when the page is JupyterLab or Notebook 7, then from the CDN)
// through require.js where the page has it (ECharts then registers as an
// AMD module and never sets window.echarts) or with one shared <script> tag
// where it does not, and
// hides the image only after ECharts reports 'finished' with a canvas of
// non-zero size. On any failure the image simply stays.
const loader = `(function () {
  var id = __ID__, url = __URL__, local = __LOCAL__, option = __OPTION__;
  var me = document.currentScript;
  var root = (me && me.parentNode && me.parentNode.id === id) ? me.parentNode : document.getElementById(id);
  if (!root || root.getAttribute('data-chart') === 'interactive') { return; }
  var img = root.querySelector('.gp-chart-static'), live = root.querySelector('.gp-chart-live');
  function fail(err) {
    root.setAttribute('data-chart', 'static');
    if (window.console) { console.warn('chart ' + id + ': keeping the static image:', err); }
  }
  function draw(echarts) {
    try {
      var chart = echarts.init(live, null, {renderer: 'canvas'});
      chart.on('finished', function done() {
        chart.off('finished', done);
        var c = live.querySelector('canvas, svg');
        if (!c || !c.clientWidth || !c.clientHeight) { chart.dispose(); fail('empty canvas'); return; }
        live.style.position = 'relative';
        live.style.visibility = 'visible';
        img.style.display = 'none';
        root.setAttribute('data-chart', 'interactive');
        chart.resize();
      });
      chart.setOption(option);
      window.addEventListener('resize', function () { chart.resize(); });
    } catch (e) { fail(e); }
  }
  function sources() {
    // JupyterLab and Notebook 7 describe their server in #jupyter-config-data.
    var urls = [], cfg = document.getElementById('jupyter-config-data');
    if (cfg && local) {
      try {
        var base = JSON.parse(cfg.textContent).baseUrl || '/';
        urls.push(base.replace(/\/?$/, '/') + local);
      } catch (e) { /* not a Jupyter page after all */ }
    }
    urls.push(url);
    return urls;
  }
  function load() {
    if (window.echarts && window.echarts.init) { draw(window.echarts); return; }
    var urls = sources();
    if (typeof window.define === 'function' && window.define.amd && typeof window.require === 'function') {
      window.require.config({paths: {echarts: urls.map(function (u) { return u.replace(/\.js$/, ''); })}});
      window.require(['echarts'], draw, fail);
      return;
    }
    var key = urls.join(' ');
    var loading = window.__gpChartLoading = window.__gpChartLoading || {};
    if (!loading[key]) {
      loading[key] = new Promise(function (resolve, reject) {
        (function next(i) {
          if (i >= urls.length) { reject('cannot load ' + urls.join(' or ')); return; }
          var s = document.createElement('script');
          s.src = urls[i];
          s.onload = function () { if (window.echarts) { resolve(window.echarts); } else { next(i + 1); } };
          s.onerror = function () { next(i + 1); };
          document.head.appendChild(s);
        })(0);
      });
    }
    loading[key].then(draw, fail);
  }
  var tries = 0;
  (function whenVisible() {
    if (document.body && document.body.contains(root) && live.clientWidth > 0) { load(); return; }
    if (++tries > 600) { fail('never laid out'); return; }
    setTimeout(whenVisible, 50);
  })();
})();`

// rendering is everything a chart renders to.
type rendering struct {
	html     string
	png      []byte
	problems []Problem
}

func (c *Chart) render() (rendering, error) {
	png, boxes, err := c.png()
	if err != nil {
		return rendering{}, err
	}
	o, err := c.optionMap()
	if err != nil {
		return rendering{}, err
	}
	option, err := c.Option()
	if err != nil {
		return rendering{}, err
	}
	problems := c.lint(o, boxes)
	w, h := c.size()
	id := "gpc-" + randomID()
	alt := c.Title
	if alt == "" {
		alt = c.Kind() + " chart"
	}
	js := strings.NewReplacer("__ID__", jsString(id), "__URL__", jsString(ScriptURL), "__LOCAL__", jsString(JupyterPath), "__OPTION__", option).Replace(loader)

	var b strings.Builder
	// A chart that is hard to read says so, under itself and in its
	// data-lint attribute, which the course's checks read.
	lint := ""
	if len(problems) > 0 {
		texts := make([]string, len(problems))
		for i, p := range problems {
			texts[i] = p.String()
		}
		j, _ := json.Marshal(texts)
		lint = fmt.Sprintf(` data-lint="%s"`, html.EscapeString(string(j)))
	}
	fmt.Fprintf(&b, `<div id="%s" class="gp-chart" data-chart="static"%s style="position:relative;width:100%%;max-width:%dpx">`+"\n", id, lint, w)
	fmt.Fprintf(&b, `<img class="gp-chart-static" width="%d" height="%d" style="max-width:100%%;height:auto" alt="%s" src="data:image/png;base64,%s">`+"\n",
		w, h, html.EscapeString(alt), base64.StdEncoding.EncodeToString(png))
	fmt.Fprintf(&b, `<div class="gp-chart-live" style="position:absolute;left:0;top:0;width:100%%;height:%dpx;visibility:hidden"></div>`+"\n", h)
	b.WriteString("<script>\n" + js + "\n</script>\n")
	const shown = 3 // the rest are in data-lint
	for i, p := range problems {
		text := p.String()
		if i == shown {
			text = fmt.Sprintf("and %d more", len(problems)-shown)
		}
		fmt.Fprintf(&b, `<p class="gp-chart-lint" style="color:#b00020;margin:2px 0">chart check: %s</p>`+"\n", html.EscapeString(text))
		if i == shown {
			break
		}
	}
	b.WriteString("</div>\n")
	return rendering{html: b.String(), png: png, problems: problems}, nil
}

// HTML returns an HTML fragment holding the static PNG image, the element
// the interactive chart draws into, and the loader script. It needs nothing
// else on the page.
func (c *Chart) HTML() (string, error) {
	r, err := c.render()
	return r.html, err
}

// Bundle returns the representations of c by MIME type: the HTML fragment
// (text/html), the PNG image alone (image/png, base64) for viewers that
// drop HTML, such as GitHub's, and a line of text (text/plain). A viewer
// that gets all three shows only one of them.
func (c *Chart) Bundle() (map[string]string, error) {
	r, err := c.render()
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"text/html":  r.html,
		"image/png":  base64.StdEncoding.EncodeToString(r.png),
		"text/plain": c.plain(r.problems),
	}, nil
}

// plain is the chart as a line of text, with its problems if any.
func (c *Chart) plain(problems []Problem) string {
	s := c.Kind() + " chart: " + c.Title
	for _, p := range problems {
		s += "\nchart check: " + p.String()
	}
	return s
}

// WriteSVG writes the static image to path.
func (c *Chart) WriteSVG(path string) error {
	svg, err := c.SVG()
	if err != nil {
		return err
	}
	return os.WriteFile(path, svg, 0o644)
}

// WriteHTML writes a standalone page holding c to path.
func (c *Chart) WriteHTML(path string) error {
	return WritePage(path, c.Title, c)
}

// Page returns a standalone HTML page holding the charts.
func Page(title string, charts ...*Chart) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n</head>\n<body style=\"font-family:sans-serif\">\n", html.EscapeString(title))
	for _, c := range charts {
		frag, err := c.HTML()
		if err != nil {
			return "", err
		}
		b.WriteString(frag)
	}
	b.WriteString("</body>\n</html>\n")
	return b.String(), nil
}

// WritePage writes a standalone HTML page holding the charts to path.
func WritePage(path, title string, charts ...*Chart) error {
	page, err := Page(title, charts...)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(page), 0o644)
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// jsString quotes s as a JavaScript string that is also safe inside <script>.
func jsString(s string) string {
	q, _ := json.Marshal(s) // escapes <, > and & as \u003c...
	return string(q)
}
