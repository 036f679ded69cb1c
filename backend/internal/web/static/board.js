// Live case board: rows arrive over a websocket as server-rendered HTML;
// the page reconnects by itself and says when its data may be stale.
(function () {
  'use strict';
  var live = document.getElementById('live');
  var text = document.getElementById('live-text');
  var rows = document.getElementById('rows');
  var form = document.getElementById('filters');
  var shown = document.getElementById('shown');
  var empty = document.getElementById('empty');
  if (!live || !rows) { return; }
  var beat = parseInt(live.getAttribute('data-heartbeat'), 10) || 5000;
  var ws = null, failures = 0, lastMessage = 0, lastUpdate = null, reconnectTimer = null;
  var state = { updates: 0, snapshots: 0, flashes: 0, connected: false };
  window.ltBoard = state;

  function two(n) { return (n < 10 ? '0' : '') + n; }
  function clock(d) { return d ? two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()) : '—'; }

  function show(cls, msg) {
    live.className = 'live ' + cls;
    live.setAttribute('data-state', cls);
    text.textContent = msg;
  }

  function values() {
    var v = {};
    if (!form) { return v; }
    var sels = form.querySelectorAll('select');
    for (var i = 0; i < sels.length; i++) { v[sels[i].name] = sels[i].value; }
    return v;
  }

  function has(list, value) { return (list || '').split('|').indexOf(value) >= 0; }

  function filter() {
    var f = values(), n = 0, total = 0;
    var trs = rows.children;
    for (var i = 0; i < trs.length; i++) {
      var tr = trs[i];
      var ok = (!f.unit || has(tr.getAttribute('data-units'), f.unit)) &&
        (!f.officer || has(tr.getAttribute('data-officers'), f.officer)) &&
        (!f.type || tr.getAttribute('data-type') === f.type) &&
        (!f.stage || tr.getAttribute('data-stage') === f.stage);
      tr.hidden = !ok;
      total++;
      if (ok) { n++; }
    }
    if (shown) { shown.textContent = '显示 ' + n + ' / ' + total + ' 件'; }
    if (empty) { empty.hidden = total > 0; }
    tiles();
  }

  // The summary tiles count every row of this board, as the server does
  // on the first render, so they follow the rows live.
  function tiles() {
    var sum = { cases: 0, open: 0, pending: 0, overdue: 0, warnings: 0 };
    var trs = rows.children;
    for (var i = 0; i < trs.length; i++) {
      var tr = trs[i];
      if (!tr.id || tr.id.indexOf('case-') !== 0) { continue; }
      sum.cases++;
      if (tr.getAttribute('data-open') === '1') { sum.open++; }
      sum.pending += parseInt(tr.getAttribute('data-pending'), 10) || 0;
      sum.overdue += parseInt(tr.getAttribute('data-overdue'), 10) || 0;
      if (tr.getAttribute('data-state') !== 'ok') { sum.warnings++; }
    }
    Object.keys(sum).forEach(function (k) {
      var b = document.getElementById('sum-' + k);
      if (!b) { return; }
      b.textContent = String(sum[k]);
      var tile = b.parentNode, level = tile.getAttribute('data-level');
      if (level) { tile.classList.toggle(level, sum[k] > 0); }
    });
  }

  function addOption(name, value, label) {
    var sel = form && form.querySelector('select[name="' + name + '"]');
    if (!sel || !value) { return; }
    for (var i = 0; i < sel.options.length; i++) { if (sel.options[i].value === value) { return; } }
    var o = document.createElement('option');
    o.value = value; o.textContent = label || value;
    sel.appendChild(o);
  }

  // New filter values that arrive with new rows.
  function learn(tr) {
    (tr.getAttribute('data-units') || '').split('|').forEach(function (u) { addOption('unit', u, u); });
    addOption('stage', tr.getAttribute('data-stage'), tr.getAttribute('data-stage'));
    var typeCell = tr.children[1];
    addOption('type', tr.getAttribute('data-type'), typeCell ? typeCell.textContent.trim() : '');
    var names = tr.querySelectorAll('.officer');
    var certs = (tr.getAttribute('data-officers') || '').split('|');
    for (var i = 0; i < names.length && i < certs.length; i++) {
      addOption('officer', certs[i], names[i].textContent + '（' + certs[i] + '）');
    }
  }

  function parseRow(html) {
    var t = document.createElement('tbody');
    t.innerHTML = html;
    return t.firstElementChild;
  }

  function apply(msg) {
    if (msg.type === 'snapshot') {
      var frag = document.createDocumentFragment();
      (msg.rows || []).forEach(function (r) { var tr = parseRow(r.html); if (tr) { learn(tr); frag.appendChild(tr); } });
      rows.textContent = '';
      rows.appendChild(frag);
      state.snapshots++;
    } else if (msg.type === 'rows') {
      // The server sends only rows that changed. A known row is replaced
      // where it is (the order stays put); a new case goes on top.
      (msg.rows || []).forEach(function (r) {
        var tr = parseRow(r.html);
        if (!tr) { return; }
        learn(tr);
        var old = document.getElementById('case-' + r.id);
        if (old) {
          if (old.outerHTML === tr.outerHTML) { return; }
          rows.replaceChild(tr, old);
        } else {
          rows.insertBefore(tr, rows.firstChild);
        }
        tr.classList.add('flash-row');
        state.flashes++;
      });
      state.updates++;
    }
    lastUpdate = new Date();
    filter();
  }

  function fresh() {
    show('live-ok', '实时更新中 · 最后更新 ' + clock(lastUpdate));
  }

  function connect() {
    reconnectTimer = null;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/board/ws';
    try { ws = new WebSocket(url); } catch (e) { schedule(); return; }
    ws.onopen = function () { failures = 0; lastMessage = Date.now(); state.connected = true; };
    ws.onmessage = function (ev) {
      lastMessage = Date.now();
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === 'bye') { location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search); return; }
      if (msg.type === 'snapshot' || msg.type === 'rows') { apply(msg); }
      fresh();
    };
    ws.onclose = function () {
      state.connected = false;
      ws = null;
      failures++;
      show('stale', '实时连接已断开，正在重新连接… 数据可能已过时（最后更新 ' + clock(lastUpdate) + '）');
      if (failures >= 3) { checkSession(); }
      schedule();
    };
  }

  function schedule() {
    if (reconnectTimer) { return; }
    var delay = Math.min(10000, 500 * Math.pow(2, Math.min(failures, 5))) * (0.7 + Math.random() * 0.6);
    reconnectTimer = setTimeout(connect, delay);
  }

  // After repeated failures, find out whether the session ended.
  function checkSession() {
    fetch('/board', { method: 'GET', redirect: 'manual', credentials: 'same-origin' }).then(function (r) {
      if (r.type === 'opaqueredirect' || r.status === 401) { location.href = '/login?next=/board'; }
    }).catch(function () {});
  }

  // Stale: no heartbeat for three beats means the connection is dead even
  // if the socket has not noticed; close it so it reconnects.
  setInterval(function () {
    if (ws && ws.readyState === 1 && Date.now() - lastMessage > 3 * beat) {
      show('stale', '超过 ' + Math.round(3 * beat / 1000) + ' 秒未收到服务器消息，数据可能已过时（最后更新 ' + clock(lastUpdate) + '）');
      ws.close();
    }
  }, 1000);

  if (form) {
    form.addEventListener('change', function () {
      filter();
      var f = values(), q = [];
      Object.keys(f).forEach(function (k) { if (f[k]) { q.push(encodeURIComponent(k) + '=' + encodeURIComponent(f[k])); } });
      history.replaceState(null, '', location.pathname + (q.length ? '?' + q.join('&') : ''));
    });
  }
  filter();
  connect();
})();
