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
  function outside(live) {
    var ec = echartsModule(), inst = ec && live ? ec.getInstanceByDom(live) : null;
    if (!inst) { return []; }
    var zr = inst.getZr(), w = zr.getWidth(), h = zr.getHeight(), out = [];
    var list = zr.storage.getDisplayList(true);
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.invisible || el.ignore || !el.style || typeof el.style.text !== 'string' || !el.style.text || !el.getBoundingRect) { continue; }
      var r = el.getBoundingRect().clone();
      if (el.transform) { r.applyTransform(el.transform); }
      if (r.x < -1 || r.y < -1 || r.x + r.width > w + 1 || r.y + r.height > h + 1) {
        out.push(JSON.stringify(el.style.text) + ' at ' + Math.round(r.x) + '..' + Math.round(r.x + r.width) +
          ' x ' + Math.round(r.y) + '..' + Math.round(r.y + r.height) + ' in ' + w + 'x' + h);
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
    out.push({id: root.id, state: root.getAttribute('data-chart') || '',
      imgVisible: visible(img), imgW: ir ? ir.width : 0, imgH: ir ? ir.height : 0,
      imgDecoded: !!(img && img.complete && img.naturalWidth > 0), imgLoaded: !!(img && img.complete),
      liveVisible: visible(live), canvasW: cr ? cr.width : 0, canvasH: cr ? cr.height : 0,
      lint: lint, outside: outside(live)});
  }
  return out;
})
