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

  var size = parseInt(rows.getAttribute('data-size'), 10) || 50;

  // The tiles count every case this board may see and the server keeps
  // them (the board is paged: the rows here are one page).
  function tiles(sum) {
    if (!sum) { return; }
    ['cases', 'open', 'pending', 'overdue', 'warnings'].forEach(function (k) {
      var b = document.getElementById('sum-' + k);
      if (!b) { return; }
      b.textContent = String(sum[k] || 0);
      var tile = b.parentNode, level = tile.getAttribute('data-level');
      if (level) { tile.classList.toggle(level, sum[k] > 0); }
    });
    if (shown) { shown.textContent = '共 ' + (sum.shown || 0) + ' / ' + (sum.cases || 0) + ' 件'; }
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
      // The server sends only rows that changed on this page. A known row
      // is replaced where it is (the order stays put); a new case goes on
      // top of the first page, which keeps its size.
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
          while (rows.children.length > size) { rows.removeChild(rows.lastElementChild); }
        }
        tr.classList.add('flash-row');
        state.flashes++;
      });
      state.updates++;
    }
    tiles(msg.summary);
    if (empty) { empty.hidden = rows.children.length > 0; }
    lastUpdate = new Date();
  }

  function fresh() {
    show('live-ok', '实时更新中 · 最后更新 ' + clock(lastUpdate));
  }

  function connect() {
    reconnectTimer = null;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/board/ws' + location.search;
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

  // The filter is applied by the server, over every page.
  if (form) {
    form.addEventListener('change', function (ev) {
      if (ev.target && ev.target.tagName === 'SELECT') { form.submit(); }
    });
  }
  connect();
})();
