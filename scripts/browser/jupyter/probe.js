// probe.js is evaluated in a JupyterLab or Notebook 7 page (started with
// expose_app_in_browser, so window.jupyterapp is the application). It
// defines window.__gp, which the Go side calls to read the notebook in the
// current tab: its kernel, which cells ran, what each cell's output shows.
(function () {
  if (window.__gp) { return; }
  var gp = window.__gp = {ran: {}, watched: null};

  gp.panel = function () {
    var app = window.jupyterapp, w = app && app.shell && app.shell.currentWidget;
    return w && w.content && w.sessionContext && w.context ? w : null;
  };

  // watch records, from now on, every code cell that gets an execution
  // count: a cell counts as run only if it ran after watch was called.
  gp.watch = function () {
    var p = gp.panel();
    gp.ran = {};
    if (gp.watched === p) { return; }
    gp.watched = p;
    p.content.widgets.forEach(function (c) {
      if (c.model.type !== 'code') { return; }
      c.model.stateChanged.connect(function (m, a) {
        if (a.name === 'executionCount' && a.newValue !== null && a.newValue !== undefined) { gp.ran[m.id] = a.newValue; }
      });
    });
  };

  gp.status = function () {
    var p = gp.panel();
    if (!p) { return {app: !!window.jupyterapp}; }
    var k = p.sessionContext.session && p.sessionContext.session.kernel;
    var code = 0, running = 0, ran = 0;
    p.content.widgets.forEach(function (c) {
      if (c.model.type !== 'code' || !c.model.sharedModel.getSource().trim()) { return; }
      code++;
      if (c.model.executionState === 'running') { running++; }
      if (gp.ran[c.model.id] !== undefined) { ran++; }
    });
    var dialog = document.querySelector('.jp-Dialog');
    return {app: true, ready: p.context.isReady, kernel: p.sessionContext.kernelDisplayName,
      status: k ? k.status : 'none', connection: k ? k.connectionStatus : 'none', code: code, running: running, ran: ran,
      dialog: dialog ? dialog.innerText.slice(0, 300) : ''};
  };

  // charts measures every lib/chart chart under a node (charts.Measure).
  gp.charts = __MEASURE__;

  function text(v) { return Array.isArray(v) ? v.join('') : (v || ''); }

  // cells reads every cell: its model (source, tags, outputs as saved)
  // and its view (what the output area shows). JupyterLab lets the browser
  // skip rendering cells out of view (content-visibility), and the text of
  // a skipped cell reads as empty: cells are rendered for the reading.
  gp.cells = function () {
    var p = gp.panel(), out = [];
    var style = document.createElement('style');
    style.textContent = '.jp-Notebook .jp-Cell { content-visibility: visible !important; }';
    document.head.appendChild(style);
    p.content.widgets.forEach(function (c, i) {
      var m = c.model, cell = {index: i, type: m.type, source: m.sharedModel.getSource(),
        tags: (m.getMetadata ? m.getMetadata('tags') : m.metadata.tags) || [], trusted: !!m.trusted};
      if (m.type === 'code') {
        cell.executionCount = m.executionCount;
        cell.ran = gp.ran[m.id] !== undefined;
        cell.outputs = m.outputs.toJSON().map(function (o) {
          var r = {type: o.output_type, mimes: Object.keys(o.data || {})};
          if (o.output_type === 'stream') { r.name = o.name; r.text = text(o.text).slice(-4000); }
          if (o.output_type === 'error') { r.text = (o.ename + ': ' + o.evalue).slice(0, 2000); }
          var h = o.data && o.data['text/html'];
          r.charts = h ? (text(h).match(/class="gp-chart"/g) || []).length : 0;
          return r;
        });
        var area = c.outputArea ? c.outputArea.node : c.node.querySelector('.jp-OutputArea');
        var wide = 0;
        if (area) {
          area.querySelectorAll('.jp-OutputArea-output').forEach(function (o) { wide = Math.max(wide, o.scrollWidth - o.clientWidth); });
        }
        cell.view = {items: area ? area.querySelectorAll('.jp-OutputArea-child').length : 0,
          text: area ? area.innerText.slice(-20000) : '', height: area ? area.getBoundingClientRect().height : 0,
          overflow: wide};
        cell.charts = gp.charts(c.node);
      }
      out.push(cell);
    });
    style.remove();
    return out;
  };

  function transparent(c) { return !c || c === 'transparent' || /^rgba\(.*,\s*0\)$/.test(c); }

  // background is the colour behind el: the first ancestor that paints one.
  function background(el) {
    for (; el; el = el.parentElement) {
      var c = getComputedStyle(el).backgroundColor;
      if (!transparent(c)) { return c; }
    }
    return 'rgb(255, 255, 255)';
  }

  // legibility lists, for every table and drawn chart in the outputs, its
  // text colour and the colour behind it.
  gp.legibility = function () {
    var out = [];
    gp.panel().content.widgets.forEach(function (c, i) {
      if (c.model.type !== 'code') { return; }
      c.node.querySelectorAll('.jp-OutputArea-output table').forEach(function (t, k) {
        var cells = t.querySelectorAll('td, th');
        for (var j = 0; j < cells.length && j < 50; j++) {
          if (!cells[j].innerText.trim()) { continue; }
          out.push({cell: i, what: 'table ' + (k + 1) + ' cell "' + cells[j].innerText.trim().slice(0, 20) + '"',
            fg: getComputedStyle(cells[j]).color, bg: background(cells[j])});
        }
      });
      c.node.querySelectorAll('.gp-chart').forEach(function (root, k) {
        var live = root.querySelector('.gp-chart-live');
        var chart = live && window.echarts && window.echarts.getInstanceByDom && window.echarts.getInstanceByDom(live);
        if (!chart || root.getAttribute('data-chart') !== 'interactive') { return; }
        var o = chart.getOption(), bg = o.backgroundColor;
        if (transparent(bg) || typeof bg !== 'string') { bg = background(live); }
        var title = o.title && o.title[0] && o.title[0].textStyle && o.title[0].textStyle.color;
        var axis = o.xAxis && o.xAxis[0] && o.xAxis[0].axisLabel && o.xAxis[0].axisLabel.color;
        var legend = o.legend && o.legend[0] && o.legend[0].textStyle && o.legend[0].textStyle.color;
        // ECharts' defaults (theme "light") where the option names none.
        out.push({cell: i, what: 'chart ' + (k + 1) + ' title', fg: typeof title === 'string' ? title : '#464646', bg: bg});
        out.push({cell: i, what: 'chart ' + (k + 1) + ' axis labels', fg: typeof axis === 'string' ? axis : '#6E7079', bg: bg});
        if (o.legend && o.legend.length) {
          out.push({cell: i, what: 'chart ' + (k + 1) + ' legend', fg: typeof legend === 'string' ? legend : '#333333', bg: bg});
        }
      });
    });
    return out;
  };

  // setSource replaces the source of cell i, as typing it would.
  gp.setSource = function (i, src) {
    gp.panel().content.widgets[i].model.sharedModel.setSource(src);
  };

  // run runs cell i with the notebook's own "Run Selected Cell and Do not
  // Advance" command (Ctrl+Enter), and resolves when it has finished.
  gp.run = function (i) {
    var p = gp.panel();
    p.content.activeCellIndex = i;
    p.content.deselectAll();
    return window.jupyterapp.commands.execute('notebook:run-cell');
  };

  // scroller is the element that scrolls the notebook.
  gp.scroller = function () {
    var p = gp.panel();
    return p.content.node.closest('.jp-WindowedPanel-outer') || p.content.node.querySelector('.jp-WindowedPanel-outer') || p.content.node;
  };

  gp.reveal = function (i) {
    var c = gp.panel().content.widgets[i];
    c.node.scrollIntoView({block: 'start'});
  };
})();
