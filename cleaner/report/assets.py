"""The report page's inline stylesheet and script (vanilla JS, no library, nothing fetched)."""

from __future__ import annotations

CSS = r"""
:root{--fg:#1d2327;--muted:#5f6b73;--line:#e3e7ea;--bg:#f6f7f8;--panel:#fff;--accent:#2f6fb0;
--kept:#2e7d32;--rej:#b03a2e;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
*{box-sizing:border-box}
html{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg)}
body{margin:0}
code{font-family:var(--mono);font-size:.92em}
header.top{background:#1f2a33;color:#eef2f4;padding:18px 28px 14px}
header.top h1{margin:0 0 4px;font-size:20px;font-weight:600}
header.top .name{font-family:var(--mono);font-weight:500;color:#9fd0ff;margin-left:.3em}
header.top p{margin:2px 0;color:#b7c3cb;font-size:13px}
header.top .warn{color:#ffcf7a}
main{padding:18px 28px 40px;max-width:1400px;margin:0 auto}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;
margin-bottom:14px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .big{display:block;font-size:28px;font-weight:600;font-variant-numeric:tabular-nums}
.card .note{color:var(--muted);font-size:12px}
.card-kept .big{color:var(--kept)}.card-rejected .big{color:var(--rej)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:14px 18px;
min-width:0}
.panel h2{font-size:15px;margin:0 0 10px;font-weight:600}
.panel h3{font-size:12px;margin:12px 0 6px;color:var(--muted);text-transform:uppercase;
letter-spacing:.04em;font-weight:600}
.panel.wide{margin-top:14px}
.lead{margin:0 0 8px}.small{font-size:12px;color:var(--muted);margin:8px 0 0}
.empty{color:var(--muted);font-style:italic;margin:4px 0}
b.kept{color:var(--kept)}b.rejected{color:var(--rej)}
.split{display:flex;height:10px;border-radius:5px;overflow:hidden;background:var(--line);
margin:6px 0 4px}
.bar-row,.hist-row{display:grid;grid-template-columns:150px 1fr 64px 48px;align-items:center;
gap:8px;margin:3px 0}
.hist-row{grid-template-columns:90px 1fr}
.pair{display:grid;grid-template-columns:1fr 56px;row-gap:2px;column-gap:8px;align-items:center}
.bar-label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-family:var(--mono);
font-size:12.5px}
.bar-track{background:#eef1f3;border-radius:3px;height:12px;overflow:hidden}
.hist-row .bar-track{height:9px}
.bar{display:block;height:100%;border-radius:3px}
.bar.before{background:#aab4bc}.bar.after{background:var(--accent)}
.num{text-align:right;font-variant-numeric:tabular-nums}
.hist-row .num{font-size:12px}
.num.zero{color:#aab4bc}
.pct{color:var(--muted);font-size:12px;text-align:right;font-variant-numeric:tabular-nums}
.inline{font-variant-numeric:tabular-nums;font-weight:600}
i.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;
vertical-align:-1px}
i.sw.before{background:#aab4bc}i.sw.after{background:var(--accent);margin-left:12px}
.legend{font-size:12px;color:var(--muted);margin:0 0 8px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;font-variant-numeric:tabular-nums;
overflow-wrap:anywhere}
ol.clusters{margin:8px 0 0;padding-left:22px;max-height:260px;overflow:auto;font-size:13px}
ol.clusters li{margin:3px 0}
.csize{font-weight:600;font-variant-numeric:tabular-nums}
.cmembers{color:var(--muted)}
.cmembers a,.cmembers span{white-space:nowrap}
a{color:var(--accent)}
a.doclink{font-family:var(--mono);font-size:12.5px}
.notshown{font-family:var(--mono);font-size:12.5px}
.sampling{color:var(--muted);margin:0 0 10px;max-width:980px}
form.filters{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:end;margin-bottom:8px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:2px}
form.filters select,form.filters input,form.filters button{font:inherit;color:var(--fg);
padding:4px 8px;border:1px solid #c9d1d6;border-radius:5px;background:#fff}
form.filters .search input{width:260px}
form.filters button{cursor:pointer;background:#f1f3f5}
.count{margin:6px 0;color:var(--muted)}
table.list{width:100%;border-collapse:collapse;table-layout:fixed}
table.list th{text-align:left;font-weight:600;font-size:12px;color:var(--muted);
border-bottom:1px solid var(--line);padding:6px 8px}
table.list th.c-path{width:40%}table.list th.c-status{width:12%}
table.list th.c-lang{width:7%}table.list th.c-num{width:9%}
table.list td{border-bottom:1px solid #f0f2f4;padding:6px 8px;vertical-align:top;
overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
table.list .r{text-align:right;font-variant-numeric:tabular-nums}
table.list tbody tr{cursor:pointer}
table.list tbody tr:hover,table.list tbody tr:focus{background:#eef5fc;outline:none}
table.list tr.open{background:#e2eefa}
td.chips{white-space:normal}
td.path{font-family:var(--mono);font-size:12.5px}
td.path .ttl{display:block;font-family:inherit;color:var(--muted);font-size:12px;
overflow:hidden;text-overflow:ellipsis}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;line-height:18px;
color:#fff;background:var(--kept)}
.badge.rej{background:var(--rej)}
.chip{display:inline-block;font-size:11.5px;font-family:var(--mono);border-radius:3px;
padding:0 5px;margin:0 4px 2px 0;color:#fff;line-height:17px}
.pager{display:flex;gap:12px;align-items:center;justify-content:center;margin-top:10px}
.pager button{font:inherit;padding:4px 12px;border:1px solid #c9d1d6;border-radius:5px;
background:#fff;cursor:pointer}
.pager button:disabled{opacity:.4;cursor:default}
#viewer{position:fixed;top:0;right:0;bottom:0;width:min(1000px,70vw);background:#fff;
box-shadow:-8px 0 24px rgba(0,0,0,.18);display:flex;flex-direction:column;z-index:10}
#viewer[hidden]{display:none}
.vhead{display:flex;align-items:center;gap:12px;padding:12px 18px;border-bottom:1px solid
var(--line);background:#fafbfc}
.vhead h2{flex:1;margin:0;font-size:15px;font-family:var(--mono);font-weight:600;
overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.vhead .toggle{font-size:12px;color:var(--muted);white-space:nowrap}
#v-close{font-size:22px;line-height:1;border:0;background:none;cursor:pointer;color:var(--muted);
padding:0 4px}
.vbody{overflow:auto;padding:14px 18px 30px;flex:1}
.facts{font-size:13px;margin-bottom:10px!important}
.banner{padding:8px 12px;border-radius:6px;background:#fbeceb;color:#7b241c;margin:0 0 10px}
ol.lines{margin:0;padding-left:48px;font-size:13.5px;line-height:1.5}
ol.lines li{padding:2px 6px;white-space:pre-wrap;overflow-wrap:anywhere;border-radius:3px}
ol.lines li::marker{color:#9aa5ad;font-size:11px;font-family:var(--mono)}
ol.lines li.gap{margin-top:10px}
ol.lines li.rm{background:color-mix(in srgb,var(--c) 9%,white)}
ol.lines del{color:var(--c);text-decoration:line-through;
text-decoration-color:color-mix(in srgb,var(--c) 55%,transparent);
text-decoration-thickness:1.5px}
ol.lines .tag{float:right;font-size:11px;font-family:var(--mono);color:#fff;background:var(--c);
border-radius:3px;padding:0 5px;margin-left:8px;line-height:17px}
ol.lines li.skip{list-style:none;color:var(--muted);font-style:italic;text-align:center;
margin:4px 0;
background:#f4f6f7}
ol.lines li.banner{background:#fbeceb;color:#7b241c;font-style:normal;text-align:left}
ol.lines.hide-removed li.rm{display:none}
@media (max-width:700px){main{padding:12px}.grid{grid-template-columns:1fr}
#viewer{width:100vw}.bar-row{grid-template-columns:110px 1fr 54px 44px}}
"""

JS = r"""
(function () {
  "use strict";
  var PAGE = 50;
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var T = data.tables, docs = data.docs, colors = data.colors;
  var byId = new Map();
  docs.forEach(function (d, i) { byId.set(d.id, i); });
  var state = {status: "", reason: "", lang: "", folder: "", q: "", page: 0};
  var filtered = [];
  var hay = null;  // lower-cased search text per document, built on the first search
  var openIndex = -1;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function where(d) { return d.k ? d.p + ":" + d.k : d.p; }
  function lineText(x) { return typeof x === "string" ? x : (Array.isArray(x) ? x[0] : ""); }

  // -- filters ----------------------------------------------------------------------------
  function fillSelect(select, names, counts) {
    var order = names.map(function (_, i) { return i; }).filter(function (i) { return counts[i]; });
    order.sort(function (a, b) { return counts[b] - counts[a] || (names[a] < names[b] ? -1 : 1); });
    order.forEach(function (i) {
      var o = el("option", null, names[i] + " (" + fmt(counts[i]) + ")");
      o.value = String(i);
      select.appendChild(o);
    });
  }
  function setupFilters() {
    var rc = new Array(T.reasons.length).fill(0);
    var lc = new Array(T.langs.length).fill(0);
    var fc = new Array(T.folders.length).fill(0);
    docs.forEach(function (d) {
      var seen = new Set(d.R);
      if (d.rr != null) seen.add(d.rr);
      seen.forEach(function (r) { rc[r]++; });
      lc[d.lg]++; fc[d.f]++;
    });
    fillSelect($("f-reason"), T.reasons, rc);
    fillSelect($("f-lang"), T.langs, lc);
    fillSelect($("f-folder"), T.folders, fc);
    ["f-status", "f-reason", "f-lang", "f-folder"].forEach(function (id) {
      $(id).addEventListener("change", readFilters);
    });
    var timer = 0;
    $("f-q").addEventListener("input", function () {
      clearTimeout(timer); timer = setTimeout(readFilters, 150);
    });
    $("filters").addEventListener("submit", function (e) { e.preventDefault(); readFilters(); });
    $("filters").addEventListener("reset", function () { setTimeout(readFilters, 0); });
    $("prev").addEventListener("click", function () { go(state.page - 1); });
    $("next").addEventListener("click", function () { go(state.page + 1); });
  }
  function readFilters() {
    state.status = $("f-status").value;
    state.reason = $("f-reason").value;
    state.lang = $("f-lang").value;
    state.folder = $("f-folder").value;
    state.q = $("f-q").value.trim().toLowerCase();
    state.page = 0;
    applyFilters();
    renderPage();
  }
  function buildHay() {
    hay = docs.map(function (d) {
      var parts = [d.p, d.id, d.t || "", d.u || ""];
      for (var i = 0; i < d.L.length; i++) parts.push(lineText(d.L[i]));
      return parts.join("\n").toLowerCase();
    });
  }
  function applyFilters() {
    var s = state.status === "" ? -1 : +state.status;
    var r = state.reason === "" ? -1 : +state.reason;
    var lg = state.lang === "" ? -1 : +state.lang;
    var f = state.folder === "" ? -1 : +state.folder;
    var q = state.q;
    if (q && !hay) buildHay();
    filtered = [];
    for (var i = 0; i < docs.length; i++) {
      var d = docs[i];
      if (s >= 0 && d.s !== s) continue;
      if (lg >= 0 && d.lg !== lg) continue;
      if (f >= 0 && d.f !== f) continue;
      if (r >= 0 && d.rr !== r && d.R.indexOf(r) < 0) continue;
      if (q && hay[i].indexOf(q) < 0) continue;
      filtered.push(i);
    }
  }

  // -- the list ---------------------------------------------------------------------------
  function go(page) {
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE));
    state.page = Math.min(Math.max(0, page), pages - 1);
    renderPage();
    $("documents").scrollIntoView({block: "start"});
  }
  function chip(r) {
    var c = el("span", "chip", T.reasons[r]);
    c.style.background = colors[r];
    return c;
  }
  function renderPage() {
    var tbody = document.querySelector("#list tbody");
    var frag = document.createDocumentFragment();
    var start = state.page * PAGE;
    var slice = filtered.slice(start, start + PAGE);
    slice.forEach(function (i) {
      var d = docs[i];
      var tr = document.createElement("tr");
      tr.tabIndex = 0;
      tr.dataset.index = String(i);
      tr.dataset.id = d.id;
      if (i === openIndex) tr.className = "open";
      var path = el("td", "path", where(d));
      path.title = where(d);
      if (d.t) path.appendChild(el("span", "ttl", d.t));
      tr.appendChild(path);
      var st = el("td");
      var label = d.s ? (d.rr != null ? T.reasons[d.rr] : "rejected") : "kept";
      var badge = el("span", d.s ? "badge rej" : "badge", label);
      if (d.s && d.rd) badge.title = d.rd;
      st.appendChild(badge);
      tr.appendChild(st);
      tr.appendChild(el("td", null, T.langs[d.lg]));
      tr.appendChild(el("td", "r", fmt(d.w)));
      tr.appendChild(el("td", "r", d.m + " / " + d.n));
      var rs = el("td", "chips");
      d.R.forEach(function (r) { rs.appendChild(chip(r)); });
      tr.appendChild(rs);
      frag.appendChild(tr);
    });
    tbody.replaceChildren(frag);
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE));
    $("pageinfo").textContent = "page " + (state.page + 1) + " of " + pages;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
    var n = filtered.length;
    $("count").textContent = n === docs.length
      ? fmt(n) + " documents"
      : fmt(n) + " of " + fmt(docs.length) + " documents match";
  }
  function onListClick(e) {
    var tr = e.target.closest("tr[data-index]");
    if (tr) openDoc(+tr.dataset.index);
  }

  // -- one document -----------------------------------------------------------------------
  function fact(dl, name, value) {
    if (value == null || value === "") return;
    dl.appendChild(el("dt", null, name));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
    dl.appendChild(dd);
  }
  function docLink(id) {
    if (!byId.has(id)) return id + " (not in the sample)";
    var a = el("a", "doclink", id);
    a.href = "#doc=" + encodeURIComponent(id);
    return a;
  }
  function openDoc(i) {
    var d = docs[i];
    openIndex = i;
    $("v-title").textContent = where(d);
    $("v-title").title = where(d);
    var dl = $("v-facts");
    dl.replaceChildren();
    fact(dl, "id", d.id);
    fact(dl, "status", d.s ? "rejected" + (d.rr != null ? ": " + T.reasons[d.rr] : "") : "kept");
    if (d.s) fact(dl, "why", d.rd);
    if (d.d) fact(dl, "duplicate of", docLink(d.d));
    fact(dl, "language", T.langs[d.lg] + (d.lp != null ? " (p = " + d.lp + ")" : ""));
    fact(dl, "words kept", fmt(d.w));
    fact(dl, "lines", d.n + " in, " + (d.n - d.m) + " kept, " + d.m + " removed");
    fact(dl, "title", d.t);
    fact(dl, "url", d.u);
    fact(dl, "date", d.dt);
    fact(dl, "format", d.fm ? d.fm + (d.en ? ", " + d.en : "") : null);
    fact(dl, "notes", d.nt ? d.nt.join("; ") : null);
    var legend = $("v-legend");
    legend.replaceChildren();
    if (d.R.length) {
      legend.appendChild(document.createTextNode("removed: "));
      d.R.forEach(function (r) { legend.appendChild(chip(r)); });
    }
    var ol = $("v-lines");
    var frag = document.createDocumentFragment();
    var gaps = new Set(d.g || []);
    var number = 1;
    if (d.s) {
      var why = (d.rr != null ? T.reasons[d.rr] : "?") + (d.rd ? ": " + d.rd : "");
      frag.appendChild(el("li", "skip banner", "Rejected document (" + why + "). " +
                          "Its lines are shown as they were cleaned."));
    }
    if (!d.L.length) frag.appendChild(el("li", "skip", "(no text)"));
    for (var j = 0; j < d.L.length; j++) {
      var x = d.L[j];
      var li;
      if (typeof x === "number") {
        li = el("li", "skip", "⋯ " + fmt(x) + (x === 1 ? " kept line" : " kept lines") +
                " not embedded in this report (the dataset has them)");
        number += x;
        frag.appendChild(li);
        continue;
      }
      if (typeof x === "string") {
        li = el("li", null, x);
      } else {
        li = el("li", "rm");
        var c = colors[x[1]];
        li.style.setProperty("--c", c);
        var del = el("del", null, x[0]);
        var tip = T.reasons[x[1]] + " · score " + (x[2] == null ? "?" : x[2].toFixed(2)) +
                  " · by " + (T.by[x[4]] || "?");
        if (T.details[x[3]]) tip += " · " + T.details[x[3]];
        if (x[5] != null) tip += " · model P(content) " + x[5].toFixed(2);
        del.title = tip;
        del.dataset.reason = T.reasons[x[1]];
        li.appendChild(el("span", "tag", T.reasons[x[1]]));
        li.appendChild(del);
        li.title = tip;
      }
      li.value = number++;
      if (gaps.has(j)) li.classList.add("gap");
      frag.appendChild(li);
    }
    ol.replaceChildren(frag);
    ol.classList.toggle("hide-removed", $("v-hide").checked);
    $("viewer").hidden = false;
    $("viewer").querySelector(".vbody").scrollTop = 0;
    unmarkRows();
    var row = document.querySelector('#list tr[data-index="' + i + '"]');
    if (row) row.classList.add("open");
    var h = "#doc=" + encodeURIComponent(d.id);
    if (location.hash !== h) history.replaceState(null, "", h);
  }
  function unmarkRows() {
    document.querySelectorAll("#list tr.open").forEach(function (t) {
      t.classList.remove("open");
    });
  }
  function closeDoc() {
    $("viewer").hidden = true;
    openIndex = -1;
    unmarkRows();
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  }
  function fromHash() {
    var m = /^#doc=(.+)$/.exec(location.hash);
    if (!m) return;
    var i = byId.get(decodeURIComponent(m[1]));
    if (i != null) openDoc(i);
  }

  // -- start ------------------------------------------------------------------------------
  setupFilters();
  applyFilters();
  renderPage();
  document.querySelector("#list tbody").addEventListener("click", onListClick);
  document.querySelector("#list tbody").addEventListener("keydown", function (e) {
    if (e.key === "Enter") onListClick(e);
  });
  $("v-close").addEventListener("click", closeDoc);
  $("v-hide").addEventListener("change", function () {
    $("v-lines").classList.toggle("hide-removed", this.checked);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !$("viewer").hidden) closeDoc();
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
  document.documentElement.dataset.ready = "1";
  window.reportReadyAt = performance.now();
})();
"""
