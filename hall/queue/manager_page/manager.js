// The hall manager's page: figures, charts and the 差评 list from the daemon's API.
// The manager token is asked once and kept in sessionStorage (gone when the tab closes).
// Events arrive over fetch streaming (EventSource cannot send the Authorization header).
"use strict";

const API = "/api/v1";
const SVG = "http://www.w3.org/2000/svg";
const LEVEL_COLOURS = { very_satisfied: "#2e7d32", satisfied: "#66bb6a", basically_satisfied: "#c0ca33",
  dissatisfied: "#fb8c00", very_dissatisfied: "#c62828" };
let token = sessionStorage.getItem("hall-manager-token");
let refreshing = null;

const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const r = await fetch(API + path, { ...options,
    headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" } });
  if (r.status === 401 || r.status === 403) { logout("令牌无效 token refused"); throw new Error("auth"); }
  const body = await r.json();
  if (!r.ok) throw new Error((body.error && body.error.message) || r.status);
  return body;
}

function logout(message) {
  sessionStorage.removeItem("hall-manager-token");
  token = null;
  $("main").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

const pct = (x) => (x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%");
const mins = (s) => (s === null || s === undefined ? "–" : (s / 60).toFixed(1) + "分");
const text = (id, value) => { $(id).textContent = value === null || value === undefined ? "–" : value; };

function el(tag, attrs, parent, content) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (content !== undefined) node.textContent = content;
  parent.appendChild(node);
  return node;
}

function bars(svg, labels, series, colours) {
  // series: list of arrays (stacked), one value per label
  svg.replaceChildren();
  const totals = labels.map((_, i) => series.reduce((a, s) => a + (s[i] || 0), 0));
  const max = Math.max(1, ...totals);
  const w = 440 / Math.max(1, labels.length);
  labels.forEach((label, i) => {
    let y = 180;
    series.forEach((s, k) => {
      // A lone series draws every hour that has data, even a near-zero wait, as a sliver.
      const h = Math.max(series.length === 1 ? 1 : 0, ((s[i] || 0) / max) * 160);
      if (h > 0 && s[i] !== undefined) el("rect", { x: 30 + i * w + 2, y: y - h, width: Math.max(1, w - 4), height: h, fill: colours[k] }, svg);
      y -= h;
    });
    el("text", { x: 30 + i * w + w / 2, y: 195, "text-anchor": "middle" }, svg, label);
  });
  el("text", { x: 2, y: 20 }, svg, max.toFixed(max < 10 ? 1 : 0));
}

function line(svg, labels, values) {
  svg.replaceChildren();
  const w = 440 / Math.max(1, labels.length - 1);
  const pts = values.map((v, i) => v === null ? null : [30 + i * w, 180 - v * 160]);
  el("line", { x1: 30, y1: 20, x2: 470, y2: 20, stroke: "#ddd" }, svg);
  el("text", { x: 2, y: 24 }, svg, "100%");
  const path = pts.filter(Boolean).map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1)).join(" ");
  if (path) el("path", { d: path, fill: "none", stroke: "#1565c0", "stroke-width": 2 }, svg);
  pts.forEach((p) => p && el("circle", { cx: p[0], cy: p[1], r: 2.5, fill: "#1565c0" }, svg));
  if (labels.length) {
    el("text", { x: 30, y: 195 }, svg, labels[0].slice(5));
    el("text", { x: 470, y: 195, "text-anchor": "end" }, svg, labels[labels.length - 1].slice(5));
  }
}

function badRow(c) {
  const tr = document.createElement("tr");
  tr.dataset.case = c.id;
  const step = (s) => `${s.done || "未办"} / ${s.due}`;
  const cells = [c.id, c.number, c.window ?? "自助", c.staff_id ?? "–", c.level === 1 ? "非常不满意" : "不满意",
    c.state_label, step(c.steps.verify), step(c.steps.fix), step(c.steps.callback)];
  cells.forEach((v, i) => {
    const td = tr.insertCell();
    td.textContent = v;
    const key = ["verify", "fix", "callback"][i - 6];
    if (key && c.steps[key].overdue) td.className = "overdue";
  });
  const td = tr.insertCell();
  const next = { open: ["verify", "核实"], verified: ["fix", "整改"], fixed: ["callback", "回访"] }[c.state];
  if (next) {
    const b = document.createElement("button");
    b.textContent = next[1];
    b.dataset.step = next[0];
    b.onclick = () => act(c.id, next[0]);
    td.appendChild(b);
  }
  return tr;
}

async function act(id, step) {
  const note = prompt("说明 Note") || "";
  const body = { note };
  if (step === "verify") body.complexity = confirm("复杂问题?(15个工作日)Complex?") ? "complex" : "simple";
  if (step === "callback") {
    const a = prompt("回访意见: satisfied / basically_satisfied / unsatisfied / unreachable", "satisfied");
    if (!a) return;
    body.answer = a;
  }
  try { await api(`/rectifications/${id}/${step}`, { method: "POST", body: JSON.stringify(body) }); }
  catch (e) { alert(e.message); }
  refresh();
}

function render(o) {
  text("hall-name", o.hall + " · 大厅管理");
  text("day", o.day);
  text("waiting", o.waiting);
  text("open-windows", `${o.open_windows}/${o.windows}`);
  const t = o.today || { wait: {}, ratings: {}, bad: {} };
  text("issued", t.issued);
  text("served", t.served);
  text("no-shows", t.no_shows);
  text("wait-mean", mins(t.wait.mean_s));
  text("wait-p90", mins(t.wait.p90_s));
  text("completion", pct(t.completion_rate));
  text("rated", t.rated);
  text("unrated", t.unrated);
  text("satisfaction", pct(t.satisfaction));
  text("bad-open", o.bad.filter((c) => !["closed", "appealed"].includes(c.state)).length);
  bars($("chart-wait"), o.wait_by_hour.map((h) => h.hour + "时"), [o.wait_by_hour.map((h) => h.mean_wait_s / 60)], ["#1565c0"]);
  const levels = Object.keys(LEVEL_COLOURS);
  bars($("chart-ratings"), o.ratings_by_window.map((r) => r.window + "号"),
    levels.map((k) => o.ratings_by_window.map((r) => r[k])), levels.map((k) => LEVEL_COLOURS[k]));
  line($("chart-trend"), o.completion_trend.map((d) => d.day), o.completion_trend.map((d) => d.completion_rate));
  $("bad").tBodies[0].replaceChildren(...o.bad.map(badRow));
  if (o.attendance) {
    const counts = {};
    o.attendance.staff.forEach((p) => { counts[p.status] = (counts[p.status] || 0) + 1; });
    text("attendance", Object.entries(counts).map(([k, n]) => `${k}: ${n}`).join(" · ") +
      " — " + o.attendance.staff.map((p) => `${p.staff_id} ${p.status}${p.checkin ? " " + p.checkin.slice(11, 16) : ""}`).join(", "));
  }
  document.body.dataset.loaded = String(Date.now());
}

async function refresh() {
  if (refreshing) return refreshing;
  refreshing = api("/statistics/overview").then(render).finally(() => { refreshing = null; });
  return refreshing;
}

async function follow() {
  // SSE over fetch: resume after the last id seen when the stream drops.
  let last = null;
  for (;;) {
    try {
      const r = await fetch(API + "/events" + (last ? "?after=" + last : ""),
        { headers: { "Authorization": "Bearer " + token } });
      if (!r.ok) throw new Error(r.status);
      $("live").className = "on";
      const reader = r.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const type = (block.match(/^event: ?(.*)$/m) || [])[1];
          const id = (block.match(/^id: ?(.*)$/m) || [])[1];
          if (id) last = id;
          if (type && /^(evaluation|rectification|ticket\.finished|ticket\.issued|window)/.test(type)) refresh();
        }
      }
    } catch (e) { /* reconnect below */ }
    $("live").className = "off";
    if (!token) return;
    await new Promise((ok) => setTimeout(ok, 2000));
  }
}

function start() {
  $("login").hidden = true;
  $("main").hidden = false;
  refresh().then(follow, () => {});
}

$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("hall-manager-token", token);
  start();
});

if (token) start(); else logout();
