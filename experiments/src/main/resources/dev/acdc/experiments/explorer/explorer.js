/*
 * The circuit explorer: one page, one circuit (or one sweep of circuits) of one model's edge graph.
 * Data: the JSON in #circuit-data, written by dev.acdc.experiments.explorer.CircuitExplorer (its javadoc documents
 * each key). Only the edges that pass the filters are handed to Cytoscape, the largest |effect| first and at most
 * `cap` of them, so a GPT-2 graph (32,923 edges) stays responsive: the view is rebuilt from plain arrays on each change.
 * The view's state lives in the URL's fragment (#step=2&cap=50&show=all&colour=kind&min=0.01&from=0&to=3&kinds=q,k),
 * so a view can be bookmarked, and #status carries data-* attributes that tests read from the DOM.
 */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('circuit-data').textContent);
  var E = D.edge_sender.length;
  var KIND_NAMES = D.kinds;   // code -> name, e.g. 0 -> "output"
  var KIND_INFO = {
    output: { label: 'addition → output', colour: '#1f77b4' },
    mlp: { label: 'addition → MLP input', colour: '#17becf' },
    q: { label: 'Q composition (→ query input)', colour: '#2ca02c' },
    k: { label: 'K composition (→ key input)', colour: '#ff7f0e' },
    v: { label: 'V composition (→ value input)', colour: '#9467bd' },
    direct: { label: 'direct (input → computed q/k/v)', colour: '#8c564b' }
  };
  var STATUS_INFO = {
    tp: { label: 'kept, in the ground truth', colour: '#1f77b4', style: 'solid' },
    fp: { label: 'false positive: kept, not in the ground truth', colour: '#d62728', style: 'dashed' },
    fn: { label: 'false negative: in the ground truth, not kept', colour: '#c51b8a', style: 'dotted' },
    tn: { label: 'removed, not in the ground truth', colour: '#c8c8c8', style: 'solid' },
    kept: { label: 'kept', colour: '#1f77b4', style: 'solid' },
    removed: { label: 'removed', colour: '#c8c8c8', style: 'solid' }
  };
  var truth = null;
  if (D.in_ground_truth) {
    truth = new Uint8Array(E);
    D.in_ground_truth.forEach(function (i) { truth[i] = 1; });
  }

  function edgeName(i) { return D.nodes[D.edge_sender[i]].name + '->' + D.nodes[D.edge_receiver[i]].name; }
  function kindOf(i) { return KIND_NAMES[D.edge_kind[i]]; }

  // per step: the kept set as a byte per edge, the effects (shared between steps that have the same), widths, ranks
  var stepCache = {};
  function stepData(s) {
    if (stepCache[s]) return stepCache[s];
    var st = D.steps[s];
    var kept = new Uint8Array(E);
    st.kept.forEach(function (i) { kept[i] = 1; });
    var effects = null;
    for (var j = s; j != null;) {
      if (D.steps[j].effects) { effects = D.steps[j].effects; break; }
      j = D.steps[j].effects_of_step;
    }
    var order = [];
    for (var i = 0; i < E; i++) order.push(i);
    var mag = new Float64Array(E);
    var lo = Infinity, hi = 0;
    for (i = 0; i < E; i++) {
      var v = effects ? effects[i] : null;
      mag[i] = v == null ? -1 : Math.abs(v);
      if (mag[i] > 0) { lo = Math.min(lo, mag[i]); hi = Math.max(hi, mag[i]); }
    }
    // largest |effect| first, no effect last, ties by graph order
    order.sort(function (a, b) { return mag[b] - mag[a] || a - b; });
    var rank = new Int32Array(E);
    order.forEach(function (e, r) { rank[e] = r + 1; });
    lo = Math.max(lo, hi / 1e4);   // widths on a log scale over four decades below the largest
    var width = new Float32Array(E);
    for (i = 0; i < E; i++) {
      width[i] = mag[i] <= 0 || !(hi > 0) ? 1 : hi === lo ? 4 : 1 + 5 * Math.max(0, Math.log(mag[i] / lo) / Math.log(hi / lo));
    }
    stepCache[s] = { kept: kept, effects: effects, order: order, rank: rank, mag: mag, width: width };
    return stepCache[s];
  }

  function status(sd, i) {
    if (!truth) return sd.kept[i] ? 'kept' : 'removed';
    return sd.kept[i] ? (truth[i] ? 'tp' : 'fp') : (truth[i] ? 'fn' : 'tn');
  }

  // ---- state, from the URL's fragment ----
  var lastLayer = D.n_layers;   // the output's row; the embeddings' is -1
  var state = { step: D.initial_step, show: 'circuit', from: -1, to: lastLayer, min: 0, cap: D.default_cap,
    colour: truth ? 'truth' : 'kind', kinds: {}, select: null };
  KIND_NAMES.forEach(function (k) { state.kinds[k] = true; });
  (function readHash() {
    var h = location.hash.replace(/^#/, '');
    if (!h) return;
    h.split('&').forEach(function (kv) {
      var p = kv.split('='), k = decodeURIComponent(p[0]), v = decodeURIComponent(p[1] || '');
      if (k === 'step') state.step = v === 'last' ? D.steps.length - 1 : Math.max(0, Math.min(D.steps.length - 1, parseInt(v, 10) || 0));
      else if (k === 'show' && /^(circuit|kept|all)$/.test(v)) state.show = v;
      else if (k === 'from') state.from = Math.max(-1, Math.min(lastLayer, parseInt(v, 10)));
      else if (k === 'to') state.to = Math.max(-1, Math.min(lastLayer, parseInt(v, 10)));
      else if (k === 'min') state.min = Math.max(0, parseFloat(v) || 0);
      else if (k === 'cap') state.cap = Math.max(1, parseInt(v, 10) || D.default_cap);
      else if (k === 'colour' && /^(truth|kind)$/.test(v) && (truth || v === 'kind')) state.colour = v;
      else if (k === 'select') state.select = v;
      else if (k === 'kinds') {
        var on = v.split(',');
        KIND_NAMES.forEach(function (n) { state.kinds[n] = on.indexOf(n) >= 0; });
      }
    });
    if (isNaN(state.from)) state.from = -1;
    if (isNaN(state.to)) state.to = lastLayer;
  })();
  function writeHash() {
    var kinds = KIND_NAMES.filter(function (k) { return state.kinds[k]; }).join(',');
    var h = 'step=' + state.step + '&show=' + state.show + '&from=' + state.from + '&to=' + state.to + '&min=' + state.min
      + '&cap=' + state.cap + '&colour=' + state.colour + '&kinds=' + kinds
      + (state.select ? '&select=' + encodeURIComponent(state.select) : '');
    try { history.replaceState(null, '', '#' + h); } catch (e) { /* a file: URL in a strict browser: the view still works */ }
  }

  // ---- controls ----
  function $(id) { return document.getElementById(id); }
  function text(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  $('facts').innerHTML = D.facts.map(function (f) { return '<span><b>' + text(f[0]) + '</b> ' + text(f[1]) + '</span>'; }).join('');
  D.steps.forEach(function (st, i) {
    var o = document.createElement('option');
    o.value = i;
    o.textContent = st.label;
    $('step').appendChild(o);
  });
  if (D.steps.length < 2) $('step-row').hidden = true;
  function layerName(l) { return l < 0 ? 'embeddings' : l === lastLayer ? 'output' : 'layer ' + l; }
  for (var l = -1; l <= lastLayer; l++) {
    [$('layer-from'), $('layer-to')].forEach(function (sel) {
      var o = document.createElement('option');
      o.value = l;
      o.textContent = layerName(l);
      sel.appendChild(o);
    });
  }
  KIND_NAMES.forEach(function (k) {
    var lab = document.createElement('label');
    lab.title = KIND_INFO[k].label;
    lab.innerHTML = '<input type="checkbox" data-kind="' + k + '"> <span style="color:' + KIND_INFO[k].colour + '">' + k + '</span>';
    $('kinds').appendChild(lab);
  });
  if (!truth) $('colour').querySelector('option[value=truth]').disabled = true;
  function syncControls() {
    $('step').value = state.step;
    $('show').value = state.show;
    $('layer-from').value = state.from;
    $('layer-to').value = state.to;
    $('min-effect').value = state.min;
    $('cap').value = state.cap;
    $('colour').value = state.colour;
    Array.prototype.forEach.call($('kinds').querySelectorAll('input'), function (c) { c.checked = state.kinds[c.dataset.kind]; });
  }
  function onChange(id, f) { $(id).addEventListener('change', function () { f(this); render(false); }); }
  onChange('step', function (el) { state.step = parseInt(el.value, 10); });
  onChange('show', function (el) { state.show = el.value; });
  onChange('layer-from', function (el) { state.from = parseInt(el.value, 10); if (state.to < state.from) state.to = state.from; });
  onChange('layer-to', function (el) { state.to = parseInt(el.value, 10); if (state.from > state.to) state.from = state.to; });
  onChange('min-effect', function (el) { state.min = Math.max(0, parseFloat(el.value) || 0); });
  onChange('cap', function (el) { state.cap = Math.max(1, parseInt(el.value, 10) || 1); });
  onChange('colour', function (el) { state.colour = el.value; });
  $('kinds').addEventListener('change', function (ev) { state.kinds[ev.target.dataset.kind] = ev.target.checked; render(false); });
  $('more').addEventListener('click', function () { state.cap = state.cap * 2; render(false); });
  $('all').addEventListener('click', function () { state.cap = E; render(false); });
  $('fit').addEventListener('click', function () {
    fit(cy.nodes().map(function (n) { return { position: n.position(), classes: n.hasClass('guide') ? 'guide' : '' }; }));
  });

  // the viewport that shows these nodes' preset positions: Cytoscape's own fit measures every element's rendered
  // bounding box (labels, arrows), a second's work at GPT-2 scale; the layout's positions say the same, at once
  function fit(els) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    els.forEach(function (e) {
      if (!e.position) return;
      // a row's label is drawn to the left of its (invisible) node
      x0 = Math.min(x0, e.position.x - (e.classes === 'guide' ? 90 : 0)); x1 = Math.max(x1, e.position.x);
      y0 = Math.min(y0, e.position.y); y1 = Math.max(y1, e.position.y);
    });
    if (!isFinite(x0)) return;
    var pad = 60, w = cy.width(), h = cy.height();
    var zoom = Math.min(2, w / (x1 - x0 + 2 * pad), h / (y1 - y0 + 2 * pad));
    cy.viewport({ zoom: zoom, pan: { x: w / 2 - zoom * (x0 + x1) / 2, y: h / 2 - zoom * (y0 + y1) / 2 } });
  }

  // ---- the graph ----
  var cy = cytoscape({
    container: $('cy'),
    elements: [],
    layout: { name: 'preset' },
    minZoom: 0.02,
    maxZoom: 6,
    hideEdgesOnViewport: E > 5000,   // GPT-2 scale: edges come back when panning stops
    style: [
      { selector: 'node', style: { 'label': 'data(label)', 'font-size': 10, 'min-zoomed-font-size': 6, 'text-valign': 'center',
        'text-halign': 'center', 'background-color': '#eeeeee', 'border-width': 1, 'border-color': '#555555', 'width': 38, 'height': 20,
        'shape': 'round-rectangle' } },
      { selector: 'node.head', style: { 'background-color': '#ffd966' } },
      { selector: 'node.mlp_out', style: { 'background-color': '#9fc5e8', 'shape': 'rectangle' } },
      { selector: 'node.mlp_in', style: { 'background-color': '#dbe9f6', 'shape': 'rectangle', 'height': 14, 'font-size': 8 } },
      { selector: 'node.input', style: { 'shape': 'ellipse', 'width': 11, 'height': 11, 'background-color': '#ffffff',
        'font-size': 8, 'text-valign': 'bottom', 'text-margin-y': 1 } },
      { selector: 'node.computed', style: { 'shape': 'diamond', 'width': 10, 'height': 10, 'background-color': '#bbbbbb',
        'font-size': 7, 'text-valign': 'top', 'text-margin-y': -1 } },
      { selector: 'node.embed, node.output', style: { 'width': 70, 'height': 22, 'background-color': '#e8e8e8' } },
      { selector: 'edge', style: { 'width': 'data(w)', 'line-color': 'data(c)', 'target-arrow-color': 'data(c)',
        'target-arrow-shape': 'triangle', 'arrow-scale': 0.6, 'curve-style': 'straight', 'opacity': 0.8 } },
      // thousands of edges: haystack lines (no arrowheads) draw several times faster than straight edges with arrows
      { selector: 'edge.many', style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'target-arrow-shape': 'none' } },
      { selector: 'edge.fp', style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 3] } },
      { selector: 'edge.fn', style: { 'line-style': 'dotted', 'opacity': 1 } },
      { selector: 'edge.tn, edge.removed', style: { 'opacity': 0.45 } },
      { selector: 'edge.hover, edge:selected', style: { 'opacity': 1, 'underlay-color': '#ffcc00', 'underlay-opacity': 0.6,
        'underlay-padding': 3, 'z-index': 10 } },
      { selector: 'node.hover, node:selected', style: { 'border-width': 3, 'border-color': '#ff9900' } },
      { selector: 'node.guide', style: { 'background-opacity': 0, 'border-width': 0, 'color': '#888888', 'font-size': 13,
        'text-halign': 'left', 'text-valign': 'center', 'events': 'no', 'width': 1, 'height': 1 } }
    ]
  });

  function colourOf(i, st) {
    return state.colour === 'truth' || !truth && st === 'removed' ? STATUS_INFO[st].colour : KIND_INFO[kindOf(i)].colour;
  }

  function passes(sd, i) {
    var st = status(sd, i);
    if (state.show === 'kept' ? !sd.kept[i] : state.show === 'circuit' ? !(sd.kept[i] || st === 'fn') : false) return false;
    if (!state.kinds[kindOf(i)]) return false;
    var ls = D.nodes[D.edge_sender[i]].layer, lr = D.nodes[D.edge_receiver[i]].layer;
    if (!(ls >= state.from && ls <= state.to) && !(lr >= state.from && lr <= state.to)) return false;
    if (state.min > 0 && !(sd.mag[i] >= state.min)) return false;
    return true;
  }

  // a label at the left of each row: embeddings, layer 0 … layer L-1, output (not part of the graph: class guide)
  var guides = [], minX = Infinity, rowY = {};
  D.nodes.forEach(function (nd) {
    minX = Math.min(minX, nd.x);
    if (nd.role === 'head' || nd.role === 'mlp_out' || nd.role === 'embed' || nd.role === 'output') rowY[nd.layer] = nd.y;
  });
  Object.keys(rowY).forEach(function (l) {
    guides.push({ group: 'nodes', data: { id: 'row' + l, label: layerName(parseInt(l, 10)) }, position: { x: minX - 120, y: rowY[l] },
      classes: 'guide', selectable: false, grabbable: false });
  });

  var shownIds = [], MANY = 3000;
  function render(first) {
    var t0 = performance.now();
    var sd = stepData(state.step);
    var matching = 0;
    shownIds = [];
    for (var r = 0; r < E; r++) {   // sd.order: largest |effect| first
      var i = sd.order[r];
      if (!passes(sd, i)) continue;
      matching++;
      if (shownIds.length < state.cap) shownIds.push(i);
    }
    var els = guides.slice(), nodeSeen = {};
    function addNode(n) {
      if (nodeSeen[n]) return;
      nodeSeen[n] = true;
      var nd = D.nodes[n];
      els.push({ group: 'nodes', data: { id: 'n' + n, label: nd.label, idx: n }, position: { x: nd.x, y: nd.y }, classes: nd.role });
    }
    var many = shownIds.length > MANY ? ' many' : '';
    shownIds.forEach(function (i) {
      addNode(D.edge_sender[i]);
      addNode(D.edge_receiver[i]);
      var st = status(sd, i);
      els.push({ group: 'edges', data: { id: 'e' + i, source: 'n' + D.edge_sender[i], target: 'n' + D.edge_receiver[i], idx: i,
        w: sd.width[i] + (st === 'fn' ? 1.5 : 0), c: colourOf(i, st) }, classes: kindOf(i) + ' ' + st + many });
    });
    cy.batch(function () {
      cy.elements().remove();
      cy.add(els);
    });
    if (first) fit(els);
    syncControls();
    writeHash();
    summary(sd, matching);
    legend();
    lists(sd);
    var s = $('status');
    s.dataset.ready = 'true';
    s.dataset.step = state.step;
    var graphNodes = cy.nodes().not('.guide');
    s.dataset.nodes = graphNodes.length;
    s.dataset.edges = cy.edges().length;
    s.dataset.matching = matching;
    s.dataset.totalEdges = E;
    s.dataset.cap = state.cap;
    s.dataset.renderMs = Math.round(performance.now() - t0);
    s.textContent = 'showing ' + cy.edges().length + ' of ' + matching + ' matching edges (' + E + ' in the graph'
      + (matching > shownIds.length ? '; the largest |effect| first, raise "at most" to see more' : '') + '), '
      + graphNodes.length + ' nodes';
    if (first && state.select) {
      var chosen = cy.edges().filter(function (e) { return edgeName(e.data('idx')) === state.select; });
      if (chosen.empty()) chosen = cy.nodes().not('.guide').filter(function (n) { return D.nodes[n.data('idx')].name === state.select; });
      if (chosen.nonempty()) { chosen.select(); details(chosen[0]); } else details(null, state.select + ' is not shown');
    }
  }

  function rate(x) { return x == null ? '–' : x.toFixed(3); }
  function summary(sd, matching) {
    var st = D.steps[state.step];
    var fp = 0, fn = 0;
    if (truth) for (var i = 0; i < E; i++) { if (sd.kept[i] && !truth[i]) fp++; else if (!sd.kept[i] && truth[i]) fn++; }
    $('summary').innerHTML = '<b>' + text(st.label) + '</b><br>' + st.edges_kept + ' of ' + E + ' edges kept'
      + (truth ? '; vs ground truth <b>' + text(D.ground_truth) + '</b> (' + D.in_ground_truth.length + ' edges): TPR ' + rate(st.tpr)
        + ', FPR ' + rate(st.fpr) + ', ' + fp + ' false positives, ' + fn + ' false negatives' : '; no ground truth')
      + '<br><small>effect: ' + text(D.effect_meaning) + '</small>';
  }

  function swatch(colour, style) {
    var dash = style === 'dashed' ? ' stroke-dasharray="6 3"' : style === 'dotted' ? ' stroke-dasharray="1.5 3"' : '';
    return '<svg width="34" height="10"><line x1="1" y1="5" x2="33" y2="5" stroke="' + colour + '" stroke-width="3"' + dash + '/></svg>';
  }
  function legend() {
    var rows = [];
    if (state.colour === 'truth') {
      ['tp', 'fp', 'fn', 'tn'].forEach(function (k) { rows.push(swatch(STATUS_INFO[k].colour, STATUS_INFO[k].style) + STATUS_INFO[k].label); });
    } else {
      KIND_NAMES.forEach(function (k) { rows.push(swatch(KIND_INFO[k].colour, 'solid') + KIND_INFO[k].label); });
      if (truth) rows.push(swatch('#555', 'dashed') + 'false positive', swatch('#555', 'dotted') + 'false negative');
    }
    rows.push('<small>width: |effect| on a log scale (four decades below the largest)</small>');
    $('legend').innerHTML = rows.map(function (r) { return '<div>' + r + '</div>'; }).join('');
  }

  var LIST_MAX = 500;
  function lists(sd) {
    [['fp', $('fp-list'), $('fp-count')], ['fn', $('fn-list'), $('fn-count')]].forEach(function (x) {
      var ids = [];
      if (truth) for (var i = 0; i < E; i++) if (status(sd, i) === x[0]) ids.push(i);
      x[2].textContent = ids.length;
      x[1].innerHTML = '';
      ids.slice(0, LIST_MAX).forEach(function (i) {
        var li = document.createElement('li');
        var edge = cy.getElementById('e' + i);
        li.className = x[0];
        li.dataset.edge = edgeName(i);
        li.dataset.shown = edge.nonempty();
        if (edge.nonempty()) li.dataset.colour = edge.style('line-color');
        li.textContent = edgeName(i) + (sd.effects && sd.effects[i] != null ? '  ' + fmt(sd.effects[i]) : '');
        li.title = edge.nonempty() ? 'click to select it' : 'hidden by the filters or the cap';
        li.addEventListener('click', function () {
          if (edge.empty()) { details(null, 'edge ' + edgeName(i) + ' is hidden by the filters or the cap'); return; }
          cy.elements().unselect();
          edge.select();
          cy.animate({ center: { eles: edge }, duration: 300 });
          details(edge);
        });
        x[1].appendChild(li);
      });
      if (ids.length > LIST_MAX) {
        var more = document.createElement('li');
        more.textContent = '… and ' + (ids.length - LIST_MAX) + ' more';
        x[1].appendChild(more);
      }
    });
  }

  function fmt(x) { return x == null ? '–' : x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(3); }

  var STATUS_WORDS = { tp: 'true positive', fp: 'false positive', fn: 'false negative', tn: 'true negative' };
  function describe(ele) {
    var sd = stepData(state.step);
    if (ele.isEdge()) {
      var i = ele.data('idx'), k = kindOf(i), st = status(sd, i);
      return '<div class="name">' + text(edgeName(i)) + '</div>'
        + 'kind: ' + text(KIND_INFO[k].label) + '<br>'
        + 'effect: ' + fmt(sd.effects ? sd.effects[i] : null)
        + (sd.mag[i] >= 0 ? ' (rank ' + sd.rank[i] + ' of ' + E + ' by |effect|)' : '') + '<br>'
        + 'this circuit: ' + (sd.kept[i] ? 'kept' : 'removed') + '<br>'
        + (truth ? 'ground truth (' + text(D.ground_truth) + '): ' + (truth[i] ? 'in it' : 'not in it')
          + ' → <b class="' + st + '">' + STATUS_WORDS[st] + '</b>' : 'no ground truth');
    }
    var n = ele.data('idx'), nd = D.nodes[n];
    var keptIn = 0, keptOut = 0, truthIn = 0, truthOut = 0;
    for (var j = 0; j < E; j++) {
      if (D.edge_receiver[j] === n) { keptIn += sd.kept[j]; if (truth) truthIn += truth[j]; }
      if (D.edge_sender[j] === n) { keptOut += sd.kept[j]; if (truth) truthOut += truth[j]; }
    }
    return '<div class="name">' + text(nd.name) + '</div>' + text(nd.description) + '<br>'
      + 'kept edges: ' + keptIn + ' in, ' + keptOut + ' out' + (truth ? '<br>ground-truth edges: ' + truthIn + ' in, ' + truthOut + ' out'
        + ((truthIn + truthOut) > 0 ? ' (in the ground truth)' : ' (not in the ground truth)') : '');
  }
  function details(ele, message) { $('details').innerHTML = ele ? describe(ele) : text(message); }

  var tip = $('tip');
  cy.on('mouseover', 'node, edge', function (ev) {
    var ele = ev.target;
    if (ele.hasClass('guide')) return;
    ele.addClass('hover');
    if (ele.isNode()) ele.connectedEdges().addClass('hover');
    tip.innerHTML = describe(ele);
    tip.hidden = false;
    var p = ev.renderedPosition || ele.renderedMidpoint && ele.renderedMidpoint() || { x: 0, y: 0 };
    var pane = $('graph-pane');
    tip.style.left = Math.min(p.x + 14, pane.clientWidth - 370) + 'px';
    tip.style.top = Math.min(p.y + 14, pane.clientHeight - 120) + 'px';
  });
  cy.on('mouseout', 'node, edge', function (ev) {
    if (ev.target.hasClass('guide')) return;
    ev.target.removeClass('hover');
    if (ev.target.isNode()) ev.target.connectedEdges().removeClass('hover');
    tip.hidden = true;
  });
  cy.on('tap', 'node, edge', function (ev) {
    if (ev.target.hasClass('guide')) return;
    state.select = ev.target.isEdge() ? edgeName(ev.target.data('idx')) : D.nodes[ev.target.data('idx')].name;
    writeHash();
    details(ev.target);
  });

  render(true);
})();
