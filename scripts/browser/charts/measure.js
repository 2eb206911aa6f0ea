(function (node) {
  function visible(el) {
    if (!el) { return false; }
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0';
  }
  // The ECharts module: a global where it loaded by a script tag, an AMD
  // module where require.js loaded it.
  function echartsModule() {
    if (window.echarts && window.echarts.getInstanceByDom) { return window.echarts; }
    try {
      if (window.require && window.require.defined && window.require.defined('echarts')) { return window.require('echarts'); }
    } catch (e) { /* not loaded */ }
    return null;
  }
  // outside lists the texts ECharts drew past the edges of its canvas,
  // from zrender's display list: each text span's box, transformed.
  function describe(t, r) {
    return JSON.stringify(t) + ' at ' + Math.round(r.x) + '..' + Math.round(r.x + r.width) +
      ' x ' + Math.round(r.y) + '..' + Math.round(r.y + r.height);
  }
  // texts lists the texts ECharts drew, from zrender's display list: each
  // text span with its box, transformed.
  function texts(live) {
    var ec = echartsModule(), inst = ec && live ? ec.getInstanceByDom(live) : null;
    if (!inst) { return null; }
    var zr = inst.getZr(), out = [];
    // The list as last drawn: updating it costs as much as drawing, on a
    // timeline of thousands of spans, at every poll.
    var list = zr.storage.getDisplayList(false);
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.type !== 'tspan' && el.type !== 'text') { continue; }
      if (el.invisible || el.ignore || !el.style || typeof el.style.text !== 'string' || !el.style.text.trim() || !el.getBoundingRect) { continue; }
      // zrender measures a line's height with a CJK glyph, which a browser
      // without CJK fonts makes a few pixels: take the height from the
      // font size and place it by the text's baseline.
      var r = el.getBoundingRect().clone();
      var m = /(\d+(?:\.\d+)?)px/.exec(el.style.font || ''), size = m ? parseFloat(m[1]) : 12, lh = size * 1.2;
      var y = el.style.y || 0;
      switch (el.style.textBaseline) {
        case 'top': r.y = y; break;
        case 'middle': r.y = y - lh / 2; break;
        case 'bottom': r.y = y - lh; break;
        default: r.y = y - size; // alphabetic: the baseline sits about one size below the top
      }
      r.height = lh;
      var m6 = el.transform, square = !m6 || (Math.abs(m6[1]) < 1e-6 && Math.abs(m6[2]) < 1e-6) || (Math.abs(m6[0]) < 1e-6 && Math.abs(m6[3]) < 1e-6);
      if (m6) { r.applyTransform(m6); }
      out.push({text: el.style.text, r: r, square: square});
    }
    return {w: zr.getWidth(), h: zr.getHeight(), list: out};
  }
  // outside lists the texts past the edges of the canvas.
  function outside(t) {
    var out = [];
    if (!t) { return out; }
    t.list.forEach(function (e) {
      var r = e.r;
      if (r.x < -1 || r.y < -1 || r.x + r.width > t.w + 1 || r.y + r.height > t.h + 1) {
        out.push(describe(e.text, r) + ' in ' + t.w + 'x' + t.h);
      }
    });
    return out;
  }
  // overlapping lists pairs of texts printed over each other: sharing more
  // than a third of the smaller one's box. Slanted texts are left out: their
  // boxes overlap where the texts need not.
  function overlapping(t) {
    var out = [];
    if (!t) { return out; }
    for (var i = 0; i < t.list.length; i++) {
      for (var j = i + 1; j < t.list.length; j++) {
        if (!t.list[i].square || !t.list[j].square) { continue; }
        var a = t.list[i].r, b = t.list[j].r;
        var w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
        var h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
        if (w > 0 && h > 0 && w * h > Math.min(a.width * a.height, b.width * b.height) / 3) {
          out.push(describe(t.list[i].text, a) + ' and ' + describe(t.list[j].text, b));
        }
      }
    }
    return out;
  }
  var roots = (node || document).querySelectorAll('.gp-chart'), out = [];
  for (var i = 0; i < roots.length; i++) {
    var root = roots[i], img = root.querySelector('img.gp-chart-static'), live = root.querySelector('.gp-chart-live');
    var c = live ? live.querySelector('canvas, svg') : null, cr = c ? c.getBoundingClientRect() : null;
    var ir = img ? img.getBoundingClientRect() : null;
    var lint = [];
    try { lint = JSON.parse(root.getAttribute('data-lint') || '[]'); } catch (e) { lint = ['unreadable data-lint: ' + e]; }
    // Texts only of a chart that has finished drawing.
    var t = root.getAttribute('data-chart') === 'interactive' ? texts(live) : null;
    out.push({id: root.id, state: root.getAttribute('data-chart') || '',
      imgVisible: visible(img), imgW: ir ? ir.width : 0, imgH: ir ? ir.height : 0,
      imgDecoded: !!(img && img.complete && img.naturalWidth > 0), imgLoaded: !!(img && img.complete),
      liveVisible: visible(live), canvasW: cr ? cr.width : 0, canvasH: cr ? cr.height : 0,
      lint: lint, outside: outside(t), overlapping: overlapping(t)});
  }
  return out;
})
