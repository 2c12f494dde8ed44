// The forktrace HTML report: renders the data forktrace embedded in this page
// (the process tree and the build report) with no library and no network.
//
// The tree over time is drawn on one canvas, only the rows on screen, so the
// page stays quick with 100,000 processes: the data is kept in flat typed
// arrays in depth-first order, where a subtree is the range [i, i + size[i]).
'use strict';

// The data: JSON, or for a large trace gzip-compressed JSON in base64 (the
// browser's own DecompressionStream inflates it), which makes the file and
// the browser's parsing of it several times smaller.
const loadData = async () => {
  const node = document.getElementById('ft-data');
  if (node.dataset.encoding !== 'gzip+base64') return JSON.parse(node.textContent);
  const binary = atob(node.textContent.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text());
};

const started = performance.now();
loadData().then((data) => render(data)).catch((error) => {
  document.getElementById('details').textContent = 'This report could not be read: ' + error;
  throw error;
});

const render = (data) => {
  const parsedMs = performance.now() - started;
  const stages = {};  // ms since the script started, for the benchmark
  const stage = (name) => { stages[name] = Math.round(performance.now() - started); };
  const S = data.strings;
  const P = data.procs;
  const n = P.pid.length;
  const report = data.report || {};

  const OK = 0, FAILED = 1, SIGNALED = 2, RUNNING = 3, UNKNOWN = 4;
  const OUTCOME_NAMES = ['ok', 'failed', 'signaled', 'running', 'unknown'];
  const ROW_H = 18, AXIS_H = 22, INDENT = 12;

  // ---- derived, per process -------------------------------------------------
  const depth = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  const kids = new Int32Array(n);         // direct children
  const failedBelow = new Int32Array(n);  // failed processes in the subtree, itself included
  const keepOpen = new Uint8Array(n);     // the subtree holds a failure or a critical-path step
  const endUs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = P.parent[i];
    depth[i] = p < 0 ? 0 : depth[p] + 1;
    endUs[i] = P.end[i] < 0 ? data.span_us : P.end[i];
  }
  for (let i = n - 1; i >= 0; i--) {
    if (P.outcome[i] === FAILED || P.outcome[i] === SIGNALED) failedBelow[i] += 1;
    const p = P.parent[i];
    if (p >= 0) {
      size[p] += size[i];
      kids[p] += 1;
      failedBelow[p] += failedBelow[i];
    }
  }

  const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : "'" + a.replace(/'/g, "'\\''") + "'");
  const commandOf = (i) => {
    const argv = P.argv[i];
    if (!argv.length) return '[' + S[P.comm[i]] + ']';
    return argv.map(quote).join(' ') + (P.trunc && P.trunc[i] ? ' …' : '');
  };
  const nameOf = (i) => S[P.exe_name[i]] || S[P.comm[i]];
  let lowered = null;  // commands in lower case, made on the first search

  stage('derived');
  // ---- the report's processes, by pid (and duration where a pid was reused) --
  const byPid = new Map();
  for (let i = 0; i < n; i++) {
    const list = byPid.get(P.pid[i]);
    if (list) list.push(i); else byPid.set(P.pid[i], [i]);
  }
  const resolve = (proc) => {
    if (proc === null || proc === undefined) return -1;
    const pid = typeof proc === 'number' ? proc : proc.pid;
    const list = byPid.get(pid);
    if (!list) return -1;
    if (list.length === 1 || typeof proc === 'number' || proc.duration_ns === undefined) return list[0];
    let best = list[0], bestDiff = Infinity;
    for (const i of list) {
      const d = Math.abs((endUs[i] - P.start[i]) * 1000 - proc.duration_ns);
      if (d < bestDiff) { best = i; bestDiff = d; }
    }
    return best;
  };
  const causeList = (report.cause || []).map(resolve).filter((i) => i >= 0);
  const criticalList = (report.critical_path || []).map(resolve).filter((i) => i >= 0);
  const cause = new Uint8Array(n), critical = new Uint8Array(n);
  for (const i of causeList) cause[i] = 1;
  for (const i of criticalList) critical[i] = 1;
  for (let i = n - 1; i >= 0; i--) {
    if (failedBelow[i] || critical[i]) keepOpen[i] = 1;
    if (keepOpen[i] && P.parent[i] >= 0) keepOpen[P.parent[i]] = 1;
  }
  let root = report.root ? resolve(report.root) : -1;
  if (root < 0 && n > 0 && size[0] === n) root = 0;

  // ---- formatting -------------------------------------------------------------
  const fmtDur = (us) => {
    if (us < 1000) return Math.round(us) + 'us';
    if (us < 1e6) return (us / 1e3).toFixed(1) + 'ms';
    if (us < 60e6) return (us / 1e6).toFixed(2) + 's';
    const s = Math.floor(us / 1e6);
    if (s < 3600) return Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's';
    return Math.floor(s / 3600) + 'h' + String(Math.floor(s / 60) % 60).padStart(2, '0') + 'm';
  };
  // An axis label precise enough to tell ticks `step` µs apart.
  const tickLabel = (us, step) => {
    if (step >= 1e6 || us < 1e6) return fmtDur(us);
    return (us / 1e6).toFixed(Math.min(6, Math.ceil(-Math.log10(step / 1e6)))) + 's';
  };
  const fmtNs = (ns) => (ns === undefined || ns === null ? '–' : fmtDur(ns / 1000));
  const fmtKb = (kb) => {
    if (kb === undefined || kb === null) return '–';
    if (kb < 1024) return kb + ' KiB';
    if (kb < 1024 * 1024) return (kb / 1024).toFixed(1) + ' MiB';
    return (kb / 1024 / 1024).toFixed(2) + ' GiB';
  };
  const fmtWall = (us) => {
    const d = new Date(data.t0_wall_ms + us / 1000);
    return d.toISOString().replace('T', ' ').replace('Z', ' UTC');
  };
  const statusText = (i) => S[P.status[i]];
  const el = (tag, props, ...children) => {
    const e = document.createElement(tag);
    if (props) for (const [k, v] of Object.entries(props)) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };

  stage('report');
  // ---- header -------------------------------------------------------------------
  const rootName = root >= 0 ? commandOf(root) : (data.title || 'whole-machine trace');
  document.getElementById('title').textContent = rootName;
  document.title = 'forktrace: ' + (root >= 0 ? nameOf(root) + ' ' + statusText(root) : rootName);
  const badge = document.getElementById('outcome');
  if (root >= 0) {
    badge.textContent = statusText(root);
    badge.className = 'badge ' + OUTCOME_NAMES[P.outcome[root]];
  } else {
    badge.hidden = true;
  }
  const facts = document.getElementById('facts');
  let failedTotal = 0;
  for (let i = 0; i < n; i++) if (P.outcome[i] === FAILED || P.outcome[i] === SIGNALED) failedTotal++;
  const factParts = [
    [n.toLocaleString('en'), ' processes'],
    [failedTotal.toLocaleString('en'), ' failed'],
    [fmtDur(data.span_us), ' wall time'],
  ];
  const sub = report.root && report.root.subtree;
  if (sub && sub.cpu_ns) factParts.push([fmtNs(sub.cpu_ns), ' CPU']);
  if (sub && sub.max_rss_kb) factParts.push([fmtKb(sub.max_rss_kb), ' peak RSS']);
  for (const [value, label] of factParts) facts.append(el('b', { text: value }), label, ' · ');
  facts.append('started ' + fmtWall(0) + (data.host ? ' on ' + data.host : ''));
  if (!data.has.usage) facts.append(' · ', el('span', { text: 'no CPU or memory figures: this recording has no resource usage at exit' }));
  if (data.lost) facts.append(' · ', el('span', { class: 'warn', text: data.lost.toLocaleString('en') + ' events lost: figures may be incomplete' }));

  if (causeList.length) {
    document.getElementById('cause').hidden = false;
    const ol = document.getElementById('cause-chain');
    for (const i of causeList) {
      ol.append(el('li', { title: commandOf(i), onclick: () => select(i, true) },
        commandOf(i), el('span', { class: 'st', text: '(' + statusText(i) + ')' })));
    }
  }

  stage('header');
  // ---- the tree over time ---------------------------------------------------------
  const viewport = document.getElementById('viewport');
  const canvas = document.getElementById('canvas');
  const spacer = document.getElementById('spacer');
  const ctx = canvas.getContext('2d');
  const collapsed = new Uint8Array(n);
  let rows = new Int32Array(n), rowCount = 0;
  let selected = -1;
  let v0 = 0, v1 = Math.max(1, data.span_us);
  let matches = [], matchAt = -1, isMatch = new Uint8Array(n);
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue('--' + name).trim();
  const COLORS = [color('ok'), color('failed'), color('signaled'), color('running'), color('unknown')];
  const C = { cause: color('cause'), critical: color('critical'), select: color('select'), match: color('match'),
              line: color('line'), muted: color('muted'), fg: color('fg') };

  const rebuildRows = () => {
    rowCount = 0;
    for (let i = 0; i < n;) {
      rows[rowCount++] = i;
      i += collapsed[i] ? size[i] : 1;
    }
    layout();
  };
  const rowOf = (i) => {  // rows are in increasing process order
    let lo = 0, hi = rowCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid] === i) return mid;
      if (rows[mid] < i) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  };
  const labelWidth = () => Math.round(Math.min(520, Math.max(220, viewport.clientWidth * 0.36)));
  const layout = () => {
    const h = Math.max(0, AXIS_H + rowCount * ROW_H + 4 - viewport.clientHeight);
    spacer.style.height = h + 'px';
    draw();
  };

  let pending = false;
  const draw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(paint);
  };
  const paint = () => {
    pending = false;
    const w = viewport.clientWidth, h = viewport.clientHeight, dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = w + 'px';
      canvas.style.height = h + 'px';
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '12px ui-monospace, "DejaVu Sans Mono", monospace';
    ctx.textBaseline = 'middle';
    const lw = labelWidth(), bx = lw + 4, bw = Math.max(10, w - bx - 8);
    const scale = bw / (v1 - v0);
    const top = viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_H));
    const last = Math.min(rowCount, Math.ceil((top + h - AXIS_H) / ROW_H) + 1);
    for (let r = first; r < last; r++) {
      const i = rows[r];
      const y = AXIS_H + r * ROW_H - top;
      if (i === selected) { ctx.fillStyle = '#dbe8fb'; ctx.fillRect(0, y, w, ROW_H); }
      else if (r & 1) { ctx.fillStyle = '#f6f7f8'; ctx.fillRect(0, y, w, ROW_H); }
      if (isMatch[i]) { ctx.fillStyle = C.match; ctx.fillRect(0, y + 1, lw, ROW_H - 2); }
      // label: fold marker, pid, command
      const x = 4 + depth[i] * INDENT;
      ctx.save();
      ctx.beginPath(); ctx.rect(0, y, lw, ROW_H); ctx.clip();
      ctx.fillStyle = C.muted;
      if (kids[i]) ctx.fillText(collapsed[i] ? '▸' : '▾', x, y + ROW_H / 2);
      // the program's name first: argv[0] is often a long path
      const argv = P.argv[i];
      let label = P.pid[i] + ' ' + (argv.length ? nameOf(i) + ' ' + argv.slice(1).map(quote).join(' ') : commandOf(i));
      if (collapsed[i]) label += '  [+' + (size[i] - 1) + (failedBelow[i] - (P.outcome[i] === FAILED || P.outcome[i] === SIGNALED ? 1 : 0) > 0 ? ', ' + (failedBelow[i] - (P.outcome[i] === FAILED || P.outcome[i] === SIGNALED ? 1 : 0)) + ' failed' : '') + ']';
      ctx.fillStyle = cause[i] ? C.cause : (P.outcome[i] === FAILED || P.outcome[i] === SIGNALED ? COLORS[P.outcome[i]] : C.fg);
      ctx.font = (cause[i] ? 'bold ' : '') + '12px ui-monospace, "DejaVu Sans Mono", monospace';
      ctx.fillText(label, x + 12, y + ROW_H / 2);
      ctx.restore();
      // bar: start to exit
      let xs = bx + (P.start[i] - v0) * scale, xe = bx + (endUs[i] - v0) * scale;
      if (xe < bx || xs > bx + bw) continue;
      xs = Math.max(xs, bx); xe = Math.min(xe, bx + bw);
      const bwid = Math.max(1.5, xe - xs);
      ctx.fillStyle = COLORS[P.outcome[i]];
      ctx.fillRect(xs, y + 3, bwid, ROW_H - 6);
      if (critical[i]) { ctx.fillStyle = C.critical; ctx.fillRect(xs, y + 1, bwid, 3); ctx.fillRect(xs, y + ROW_H - 4, bwid, 3); }
      if (cause[i]) { ctx.strokeStyle = C.cause; ctx.lineWidth = 2; ctx.strokeRect(xs - 1, y + 2, bwid + 2, ROW_H - 4); }
      if (bwid > 48) {
        ctx.save();
        ctx.beginPath(); ctx.rect(xs, y, bwid, ROW_H); ctx.clip();
        ctx.fillStyle = '#10261a';
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(nameOf(i) + ' ' + fmtDur(endUs[i] - P.start[i]), xs + 4, y + ROW_H / 2);
        ctx.restore();
      }
    }
    // the time axis, over the rows
    ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, w, AXIS_H);
    ctx.strokeStyle = C.line; ctx.beginPath(); ctx.moveTo(0, AXIS_H - 0.5); ctx.lineTo(w, AXIS_H - 0.5);
    ctx.moveTo(lw + 0.5, 0); ctx.lineTo(lw + 0.5, h); ctx.stroke();
    ctx.fillStyle = C.muted; ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(rowCount.toLocaleString('en') + ' of ' + n.toLocaleString('en') + ' shown', 6, AXIS_H / 2);
    const span = v1 - v0, target = span / Math.max(1, bw / 90);
    const pow = Math.pow(10, Math.floor(Math.log10(target)));
    const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= target) || 10 * pow;
    for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
      const tx = bx + (t - v0) * scale;
      ctx.fillStyle = C.line; ctx.fillRect(tx, AXIS_H - 5, 1, 5);
      ctx.fillStyle = C.muted; ctx.fillText(tickLabel(t, step), tx + 3, AXIS_H / 2);
    }
  };

  const toggle = (i) => {
    if (!kids[i]) return;
    collapsed[i] ^= 1;
    rebuildRows();
  };
  const reveal = (i) => {  // unfold every ancestor so that i has a row
    let changed = false;
    for (let a = P.parent[i]; a >= 0; a = P.parent[a]) if (collapsed[a]) { collapsed[a] = 0; changed = true; }
    if (changed) rebuildRows();
  };
  const scrollToRow = (r) => {
    const y = r * ROW_H, h = viewport.clientHeight - AXIS_H;
    if (y < viewport.scrollTop || y + ROW_H > viewport.scrollTop + h) viewport.scrollTop = Math.max(0, y - h / 3);
  };
  const select = (i, focus) => {
    selected = i;
    if (i >= 0) {
      reveal(i);
      scrollToRow(rowOf(i));
      showDetails(i);
      if (focus) viewport.focus({ preventScroll: true });
    }
    draw();
  };
  const fold = (predicate) => {
    for (let i = 0; i < n; i++) collapsed[i] = kids[i] && predicate(i) ? 1 : 0;
    rebuildRows();
  };

  const hit = (ev) => {
    const rect = canvas.getBoundingClientRect();
    const x = ev.clientX - rect.left, y = ev.clientY - rect.top;
    if (y < AXIS_H) return null;
    const r = Math.floor((y - AXIS_H + viewport.scrollTop) / ROW_H);
    return r >= 0 && r < rowCount ? { r, i: rows[r], x } : null;
  };
  let drag = null;
  canvas.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, v0, v1, moved: false }; });
  window.addEventListener('mousemove', (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (!drag.moved) return;
    const bw = Math.max(10, viewport.clientWidth - labelWidth() - 12);
    const dt = (dx / bw) * (drag.v1 - drag.v0);
    v0 = drag.v0 - dt; v1 = drag.v1 - dt;
    draw();
  });
  window.addEventListener('mouseup', (ev) => {
    const d = drag;
    drag = null;
    if (!d || d.moved) return;
    const h = hit(ev);
    if (!h) return;
    const x0 = 4 + depth[h.i] * INDENT;
    if (kids[h.i] && h.x >= x0 - 2 && h.x < x0 + 12) toggle(h.i);
    else select(h.i, true);
  });
  canvas.addEventListener('dblclick', (ev) => {
    const h = hit(ev);
    if (!h) return;
    if (h.x < labelWidth()) { toggle(h.i); return; }
    const d = endUs[h.i] - P.start[h.i];
    v0 = P.start[h.i] - d * 0.05; v1 = endUs[h.i] + d * 0.05 + 1;
    draw();
  });
  const zoom = (factor, atX) => {
    const bx = labelWidth() + 4, bw = Math.max(10, viewport.clientWidth - bx - 8);
    const f = atX === undefined ? 0.5 : Math.min(1, Math.max(0, (atX - bx) / bw));
    const at = v0 + f * (v1 - v0);
    const span = Math.max(1, Math.min(data.span_us * 4 + 1, (v1 - v0) * factor));
    v0 = at - f * span; v1 = v0 + span;
    draw();
  };
  viewport.addEventListener('wheel', (ev) => {
    if (ev.ctrlKey || ev.metaKey) {
      ev.preventDefault();
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, ev.clientX - canvas.getBoundingClientRect().left);
    } else if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
      ev.preventDefault();
      const dt = ((ev.deltaX || ev.deltaY) / 500) * (v1 - v0);
      v0 += dt; v1 += dt;
      draw();
    }
  }, { passive: false });
  viewport.addEventListener('scroll', draw);
  window.addEventListener('resize', layout);
  viewport.addEventListener('keydown', (ev) => {
    if (selected < 0 && rowCount) { select(rows[0]); return; }
    const r = rowOf(selected);
    if (ev.key === 'ArrowDown' && r + 1 < rowCount) select(rows[r + 1]);
    else if (ev.key === 'ArrowUp' && r > 0) select(rows[r - 1]);
    else if (ev.key === 'ArrowRight' && collapsed[selected]) toggle(selected);
    else if (ev.key === 'ArrowLeft' && kids[selected] && !collapsed[selected]) toggle(selected);
    else if (ev.key === 'ArrowLeft' && P.parent[selected] >= 0) select(P.parent[selected]);
    else return;
    ev.preventDefault();
  });
  document.getElementById('zoom-in').onclick = () => zoom(0.5);
  document.getElementById('zoom-out').onclick = () => zoom(2);
  document.getElementById('zoom-fit').onclick = () => { v0 = 0; v1 = Math.max(1, data.span_us); draw(); };
  document.getElementById('expand-all').onclick = () => fold(() => false);
  document.getElementById('collapse-ok').onclick = () => fold((i) => !keepOpen[i]);

  // ---- search ---------------------------------------------------------------------
  const search = document.getElementById('search');
  const searchCount = document.getElementById('search-count');
  let searchTimer = 0;
  const runSearch = () => {
    const q = search.value.trim().toLowerCase();
    for (const i of matches) isMatch[i] = 0;
    matches = [];
    matchAt = -1;
    if (q) {
      if (!lowered) { lowered = new Array(n); for (let i = 0; i < n; i++) lowered[i] = commandOf(i).toLowerCase(); }
      const pid = /^\d+$/.test(q) ? Number(q) : -1;
      for (let i = 0; i < n; i++) if (P.pid[i] === pid || lowered[i].includes(q)) { matches.push(i); isMatch[i] = 1; }
    }
    searchCount.textContent = q ? matches.length.toLocaleString('en') + ' match' + (matches.length === 1 ? '' : 'es') : '';
    draw();
  };
  search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 150); });
  search.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    clearTimeout(searchTimer);
    if (!matches.length || isMatch.length !== n) runSearch();
    if (!matches.length) return;
    matchAt = (matchAt + (ev.shiftKey ? matches.length - 1 : 1)) % matches.length;
    searchCount.textContent = (matchAt + 1) + ' of ' + matches.length.toLocaleString('en');
    select(matches[matchAt]);
  });
  const searchFor = (text) => { search.value = text; runSearch(); };

  // ---- details ---------------------------------------------------------------------
  const details = document.getElementById('details');
  const link = (i) => el('span', { class: 'chain-link', text: nameOf(i) + '(' + P.pid[i] + ')', onclick: () => select(i, true) });
  const showDetails = (i) => {
    const dl = el('dl');
    const row = (k, v) => { if (v !== null && v !== undefined && v !== '') dl.append(el('dt', { text: k }), el('dd', null, v)); };
    const o = P.outcome[i];
    row('status', el('span', { class: 'st-' + OUTCOME_NAMES[o], text: statusText(i) }));
    const flags = [];
    if (cause[i]) flags.push('on the cause chain');
    if (critical[i]) flags.push('on the critical path');
    if (P.recovered && P.recovered[i]) flags.push('rebuilt from /proc after lost events');
    if (flags.length) row('', flags.join(', '));
    row('pid', String(P.pid[i]));
    row('parent', P.parent[i] >= 0 ? link(P.parent[i]) : (P.ppid[i] ? String(P.ppid[i]) + ' (not traced)' : null));
    const chain = [];
    for (let a = P.parent[i]; a >= 0; a = P.parent[a]) chain.push(a);
    if (chain.length) {
      const dd = el('span');
      chain.reverse().forEach((a, k) => { if (k) dd.append(' → '); dd.append(link(a)); });
      row('chain', dd);
    }
    row('started', fmtWall(P.start[i]) + ' (+' + fmtDur(P.start[i]) + ')');
    row('duration', P.end[i] < 0 ? 'still running at the end (' + fmtDur(endUs[i] - P.start[i]) + '+)' : fmtDur(endUs[i] - P.start[i]));
    if (P.cpu_ns) row('CPU', P.cpu_ns[i] < 0 ? '–' : fmtNs(P.cpu_ns[i]));
    if (P.max_rss_kb) row('max RSS', P.max_rss_kb[i] < 0 ? '–' : fmtKb(P.max_rss_kb[i]));
    if (!P.cpu_ns) row('CPU, RSS', 'not in this recording');
    if (P.job) row('job', S[P.job[i]]);
    if (P.container) row('container', S[P.container[i]]);
    if (P.nspid && P.nspid[i]) row('nspid', String(P.nspid[i]) + ' (its pid inside the container)');
    if (kids[i]) row('children', kids[i] + ' direct, ' + (size[i] - 1) + ' in all' +
                               (failedBelow[i] - (o === FAILED || o === SIGNALED ? 1 : 0) ? ', ' + (failedBelow[i] - (o === FAILED || o === SIGNALED ? 1 : 0)) + ' failed' : ''));
    if (P.exe) row('exe', S[P.exe[i]]);
    else if (P.filename) row('file', S[P.filename[i]]);
    if (P.cwd) row('cwd', S[P.cwd[i]]);
    if (P.uid) row('user', 'uid ' + P.uid[i] + (P.euid && P.euid[i] !== P.uid[i] ? ', euid ' + P.euid[i] : '') +
                          (P.gid ? ', gid ' + P.gid[i] : ''));
    const argv = P.argv[i];
    row('argv', argv.length ? el('span', { class: 'argv' }, ...argv.map((a) => el('span', { text: a }))) : '(never exec\'d: ' + S[P.comm[i]] + ')');
    if (P.trunc && P.trunc[i]) row('', 'argv was cut at the capture bound');
    details.replaceChildren(el('h3', { text: nameOf(i) }), dl);
  };

  // ---- tables ------------------------------------------------------------------------
  const tabs = document.getElementById('tabs');
  const tabBody = document.getElementById('tab-body');
  const LIMIT = 2000;
  const table = (columns, items, onRow, initialSort) => {
    const wrap = el('div');
    let sortKey = initialSort === undefined ? -1 : initialSort, desc = true;
    const render = () => {
      let list = items;
      if (sortKey >= 0) {
        const get = columns[sortKey].value;
        list = items.slice().sort((a, b) => {
          const x = get(a), y = get(b);
          const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return desc ? -c : c;
        });
      }
      const head = el('tr', null, ...columns.map((c, k) => el('th', {
        class: c.num ? 'num' : '', text: c.title + (k === sortKey ? (desc ? ' ▾' : ' ▴') : ''),
        onclick: () => { if (sortKey === k) desc = !desc; else { sortKey = k; desc = !!c.num; } render(); },
      })));
      const body = el('tbody');
      for (const item of list.slice(0, LIMIT)) {
        body.append(el('tr', { onclick: () => onRow(item) }, ...columns.map((c) => el('td', {
          class: (c.num ? 'num' : '') + (c.cmd ? ' cmd' : ''), text: c.show ? c.show(item) : String(c.value(item)),
          title: c.cmd ? c.show(item) : '',
        }))));
      }
      const note = list.length > LIMIT ? el('p', { class: 'note', text: 'The first ' + LIMIT + ' of ' + list.length + ' are shown; search finds the rest.' }) : null;
      wrap.replaceChildren(...[el('table', null, el('thead', null, head), body), note].filter(Boolean));
    };
    render();
    return wrap;
  };
  const procColumns = () => [
    { title: 'status', value: (i) => statusText(i) },
    { title: 'pid', num: true, value: (i) => P.pid[i] },
    { title: 'duration', num: true, value: (i) => endUs[i] - P.start[i], show: (i) => fmtDur(endUs[i] - P.start[i]) },
    { title: 'command', cmd: true, value: (i) => commandOf(i), show: (i) => commandOf(i) },
  ];
  const sections = [];
  {
    // k: the report lists failures in the order they ended (analysis::find_failures).
    const failures = (report.failures || []).map((f, k) => ({ i: resolve(f), k, propagated: !!f.propagated })).filter((f) => f.i >= 0);
    const cols = [
      { title: 'status', value: (f) => statusText(f.i) },
      { title: 'kind', value: (f) => (cause[f.i] ? 'cause' : f.propagated ? 'propagated' : 'handled') },
      { title: 'pid', num: true, value: (f) => P.pid[f.i] },
      { title: 'duration', num: true, value: (f) => endUs[f.i] - P.start[f.i], show: (f) => fmtDur(endUs[f.i] - P.start[f.i]) },
      { title: 'command', cmd: true, value: (f) => commandOf(f.i), show: (f) => commandOf(f.i) },
    ];
    // The cause, the rest of the failure path, then the handled ones, each in
    // the order they ended, as analysis::propagated_first and the other views.
    const ranked = failures.slice().sort((a, b) => (cause[b.i] - cause[a.i]) || (b.propagated - a.propagated) || (a.k - b.k));
    sections.push(['Failures', failures.length, () => failures.length
      ? el('div', null, el('p', { class: 'note', text: 'Propagated: on the failure path, each parent failed because of it. Handled: a parent went on after it (as configure does after its probes).' }),
        table(cols, ranked, (f) => select(f.i, true)))
      : el('p', { class: 'note', text: 'Nothing failed.' })]);
  }
  sections.push(['Critical path', criticalList.length, () => criticalList.length
    ? el('div', null, el('p', { class: 'note', text: 'The processes that bound the wall time: where each waited for children, the one it waited for longest.' }),
      table(procColumns(), criticalList, (i) => select(i, true)))
    : el('p', { class: 'note', text: 'No critical path in this report.' })]);
  {
    const xs = report.executables || [];
    const cols = [
      { title: 'executable', value: (x) => x.name },
      { title: 'runs', num: true, value: (x) => x.runs },
      { title: 'failed', num: true, value: (x) => x.failed || 0 },
      { title: 'CPU', num: true, value: (x) => x.cpu_ns ?? -1, show: (x) => (x.cpu_ns === undefined || x.cpu_ns === null ? '–' : fmtNs(x.cpu_ns)) },
      { title: 'peak RSS', num: true, value: (x) => x.max_rss_kb ?? -1, show: (x) => (x.max_rss_kb === undefined || x.max_rss_kb === null ? '–' : fmtKb(x.max_rss_kb)) },
      { title: 'wall', num: true, value: (x) => x.wall_ns ?? 0, show: (x) => fmtNs(x.wall_ns) },
    ];
    sections.push(['Executables', xs.length, () => table(cols, xs, (x) => searchFor(x.name), data.has.usage ? 3 : 1)]);
  }
  {
    const nf = report.not_found || [];
    const cols = [
      { title: 'command', cmd: true, value: (x) => x.command, show: (x) => x.command },
      { title: 'error', value: (x) => x.error || '' },
      { title: 'count', num: true, value: (x) => x.count },
    ];
    sections.push(['Not found', nf.length, () => (nf.length ? table(cols, nf, (x) => searchFor(x.command))
      : el('p', { class: 'note', text: 'Every command that was run was found.' }))]);
  }
  const showTab = (k) => {
    [...tabs.children].forEach((b, j) => b.setAttribute('aria-selected', String(j === k)));
    tabBody.replaceChildren(sections[k][2]());
  };
  sections.forEach(([title, count], k) => tabs.append(el('button', { type: 'button', role: 'tab', text: title + ' (' + count + ')', onclick: () => showTab(k) })));
  stage('handlers');
  showTab(0);
  stage('tables');

  document.getElementById('footer').textContent = 'forktrace report · ' + n.toLocaleString('en') +
    ' processes · everything is in this file; it needs no network · Ctrl+wheel zooms, drag pans, click for details, ◂ ▸ fold';

  // ---- start ---------------------------------------------------------------------------
  if (n > 3000) fold((i) => !keepOpen[i]); else rebuildRows();
  const initial = causeList.length ? causeList[causeList.length - 1] : root;
  // Open on the failing part of the build: the time of the root's failed
  // child that the cause runs through, when that is a small part of the trace.
  if (causeList.length > 1) {
    const c = causeList[1], d = endUs[c] - P.start[c];
    if (kids[c] && d < 0.5 * data.span_us && d > 0.001 * data.span_us) { v0 = Math.max(0, P.start[c] - d * 0.03); v1 = endUs[c] + d * 0.03 + 1; }
  }
  stage('fold');
  if (initial >= 0) select(initial);
  stage('select');
  requestAnimationFrame(() => {
    paint();
    // For tests and benchmarks (tools/browser/cdp_check.py): times since
    // navigation began, and the labels of the tree rows now on screen.
    window.ftReport = {
      ready: true, processes: n, rows: rowCount, parseMs: parsedMs, scriptMs: performance.now() - started,
      readyMs: performance.now(), stages,
      rowsOnScreen: () => {
        const first = Math.floor(viewport.scrollTop / ROW_H);
        const last = Math.min(rowCount, first + Math.ceil((viewport.clientHeight - AXIS_H) / ROW_H));
        const out = [];
        for (let r = first; r < last; r++) out.push(P.pid[rows[r]] + ' ' + commandOf(rows[r]) + ' ' + statusText(rows[r]));
        return out;
      },
    };
    document.body.dataset.ready = '1';
  });
};
