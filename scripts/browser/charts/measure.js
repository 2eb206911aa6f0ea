(function (node) {
  function visible(el) {
    if (!el) { return false; }
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0';
  }
  var roots = (node || document).querySelectorAll('.gp-chart'), out = [];
  for (var i = 0; i < roots.length; i++) {
    var root = roots[i], img = root.querySelector('img.gp-chart-static'), live = root.querySelector('.gp-chart-live');
    var c = live ? live.querySelector('canvas, svg') : null, cr = c ? c.getBoundingClientRect() : null;
    var ir = img ? img.getBoundingClientRect() : null;
    out.push({id: root.id, state: root.getAttribute('data-chart') || '',
      imgVisible: visible(img), imgW: ir ? ir.width : 0, imgH: ir ? ir.height : 0,
      imgDecoded: !!(img && img.complete && img.naturalWidth > 0), imgLoaded: !!(img && img.complete),
      liveVisible: visible(live), canvasW: cr ? cr.width : 0, canvasH: cr ? cr.height : 0});
  }
  return out;
})
