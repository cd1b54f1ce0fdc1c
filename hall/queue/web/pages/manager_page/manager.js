// The hall manager's page: figures for a date range, charts, the 差评 list and 考勤.
// Signing in (id + PIN, or the bootstrap token) is manager_login.js; a 401 goes back to it.
// Events arrive over fetch streaming (EventSource cannot send the Authorization header).
// Whatever cannot be loaded is named in a red box at the top (never silent dashes).
"use strict";

const API = "/api/v1";
const SVG = "http://www.w3.org/2000/svg";
const LEVELS = [
  ["very_satisfied", "非常满意", "#2e7d32"], ["satisfied", "满意", "#66bb6a"],
  ["basically_satisfied", "基本满意", "#c0ca33"], ["dissatisfied", "不满意", "#fb8c00"],
  ["very_dissatisfied", "非常不满意", "#c62828"]];
const ATTENDANCE = { normal: "正常", late: "迟到", early: "早退", late_early: "迟到、早退",
  absent: "旷工", leave: "请假", pending: "未到签到截止", day_off: "休息日" };
let token = window.managerLogin.token();
let refreshing = null;
let refreshAgain = false; // an event came while a load ran (refresh)
let overview = null; // the last overview loaded (names, rules, 差评 cases)

const $ = (id) => document.getElementById(id);

/** One failed request: what the page could not load, in Chinese then English. */
class LoadError extends Error {}

async function api(path, options = {}) {
  let r;
  // Signed out: a load still running asks nothing more, and a request still on its way
  // comes back 401 without showing "session expired" over "signed out".
  const sent = token;
  if (!sent) throw new Error("auth");
  try {
    r = await fetch(API + path, { ...options,
      headers: { "Authorization": "Bearer " + sent, "Content-Type": "application/json" } });
  } catch (e) {
    throw new LoadError("连不上大厅服务（网络或服务已停止）。Cannot reach the hall service.");
  }
  if (r.status === 401) {
    if (token && token === sent) logout("登录已失效或令牌无效，请重新登录。Signed out or session expired: sign in again.");
    throw new Error("auth");
  }
  if (r.status === 403) {
    logout("此令牌不是管理令牌，请用管理人员账号登录。Not a manager token: sign in as a manager.");
    throw new Error("auth");
  }
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const err = (body && body.error) || {};
    const zh = err.message || "服务出错";
    throw new LoadError(`HTTP ${r.status}：${zh}。${err.message_en || r.statusText || ""}`);
  }
  return body;
}

function logout(message) {
  token = null;
  if (following) following.abort();
  window.managerLogin.show(message);
}

const pct = (x) => (x === null || x === undefined ? "无数据" : (x * 100).toFixed(1) + "%");
const mins = (s) => (s === null || s === undefined ? "无数据" : (s / 60).toFixed(1) + "分");
const text = (id, value) => {
  $(id).textContent = value === null || value === undefined ? "无数据" : value;
  $(id).classList.remove("failed");
};
const failTiles = (ids) => ids.forEach((id) => { $(id).textContent = "未加载"; $(id).classList.add("failed"); });
const staffName = (id) => { const s = ((overview && overview.staff) || []).find((x) => x.id === id); return s ? s.name : id; };
const windowName = (n) => (n === null || n === undefined ? "自助申报" :
  ((overview && overview.window_names && overview.window_names[n]) || n + "号窗口"));

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

function legend() {
  $("ratings-legend").replaceChildren(...LEVELS.map(([, zh, colour]) => {
    const li = document.createElement("li");
    const swatch = document.createElement("i");
    swatch.style.background = colour;
    li.append(swatch, zh);
    return li;
  }));
}

/** Sum the rows of /statistics (one per month bucket) into the range's figures. */
function summarise(rows) {
  const sum = (f) => rows.reduce((a, r) => a + (f(r) || 0), 0);
  const waitN = sum((r) => r.wait.n);
  const ratings = Object.fromEntries(LEVELS.map(([k]) => [k, sum((r) => r.ratings[k])]));
  const rated = sum((r) => r.rated);
  const good = ratings.very_satisfied + ratings.satisfied + ratings.basically_satisfied;
  const served = sum((r) => r.served);
  const subs = rows.map((r) => r.submissions).filter(Boolean);
  return {
    issued: sum((r) => r.issued), served, no_shows: sum((r) => r.no_shows),
    wait_mean_s: waitN ? sum((r) => (r.wait.mean_s || 0) * r.wait.n) / waitN : null,
    // One bucket: its exact P90; several months: the worst month's (percentiles do not add).
    wait_p90_s: rows.length ? Math.max(...rows.map((r) => r.wait.p90_s || 0)) : null,
    completion: served ? (served - sum((r) => r.cases_by_type["补正"])) / served : null,
    rated, unrated: sum((r) => r.unrated), satisfaction: rated ? good / rated : null,
    bad_overdue: sum((r) => r.bad.overdue),
    self_received: subs.reduce((a, s) => a + s.received, 0),
    self_finished: subs.reduce((a, s) => a + s.finished, 0),
    self_overdue: subs.reduce((a, s) => a + s.overdue, 0),
  };
}

const RANGE_TILES = ["issued", "served", "no-shows", "wait-mean", "wait-p90", "completion", "rated",
  "unrated", "satisfaction", "bad-overdue", "self-received", "self-finished", "self-overdue"];

function renderRange(stats) {
  const s = summarise(stats.rows);
  text("issued", s.issued); text("served", s.served); text("no-shows", s.no_shows);
  text("wait-mean", mins(s.wait_mean_s)); text("wait-p90", mins(s.wait_p90_s));
  $("wait-p90-label").textContent = stats.rows.length > 1 ? "P90 等候（最高月）worst month" : "P90 等候 wait";
  text("completion", pct(s.completion)); text("rated", s.rated); text("unrated", s.unrated);
  text("satisfaction", pct(s.satisfaction)); text("bad-overdue", s.bad_overdue);
  text("self-received", s.self_received); text("self-finished", s.self_finished);
  text("self-overdue", s.self_overdue);
}

function renderWindows(stats) {
  const by = new Map();
  stats.rows.filter((r) => r.group !== "").forEach((r) => {
    const acc = by.get(r.group) || {};
    LEVELS.forEach(([k]) => { acc[k] = (acc[k] || 0) + r.ratings[k]; });
    by.set(r.group, acc);
  });
  const windows = [...by.keys()].sort((a, b) => a - b);
  bars($("chart-ratings"), windows.map((w) => w + "号"),
    LEVELS.map(([k]) => windows.map((w) => by.get(w)[k])), LEVELS.map(([, , c]) => c));
}

function renderOverview(o) {
  overview = o;
  text("hall-name", o.hall + " · 大厅管理");
  text("day", o.day);
  // 台账校验码: published outside the box (printed, written down), see hall/queue/ratings/anchor.py.
  text("ledger-head", "台账校验码 " + (o.ledger_head ? o.ledger_head.fingerprint : "—"));
  text("waiting", o.waiting);
  text("open-windows", `${o.open_windows}/${o.windows}`);
  text("bad-open", o.bad.filter((c) => !["closed", "appealed"].includes(c.state)).length);
  bars($("chart-wait"), o.wait_by_hour.map((h) => h.hour + "时"), [o.wait_by_hour.map((h) => h.mean_wait_s / 60)], ["#1565c0"]);
  line($("chart-trend"), o.completion_trend.map((d) => d.day), o.completion_trend.map((d) => d.completion_rate));
  $("bad").tBodies[0].replaceChildren(...o.bad.map(window.badRow));
  $("bad-empty").hidden = o.bad.length > 0;
  const r = o.attendance_rules;
  $("attendance-rule").textContent = `班次 ${r.start}–${r.end}；晚到超过 ${r.late_after_min} 分钟算迟到，` +
    `早走超过 ${r.early_before_min} 分钟算早退，超过 ${r.absent_after_min} 分钟或未签到算旷工。`;
}

const hhmm = (iso) => (iso ? iso.slice(11, 16) : "未签");

function why(p, rules) {
  const leave = p.leave ? "请假：" + (p.leave === "leave" ? "（未填原因）" : p.leave) : "";
  if (p.status === "day_off") return ["非工作日", leave].filter(Boolean).join("；");
  if (p.status === "leave") return leave;
  if (p.status === "pending") return `${rules.start} 后 ${rules.absent_after_min} 分钟内签到不算旷工`;
  if (!p.checkin) return `未签到（超过 ${rules.absent_after_min} 分钟）`;
  const parts = [];
  if (p.late_min > 0) parts.push(`晚到 ${Math.round(p.late_min)} 分钟`);
  if (p.early_min > 0) parts.push(`早走 ${Math.round(p.early_min)} 分钟`);
  if (p.missing_checkout && p.status !== "absent") parts.push("尚未签退");
  return parts.join("，") || "按时";
}

function renderAttendance(a) {
  const rules = overview ? overview.attendance_rules : { start: "", absent_after_min: "" };
  $("attendance-day").textContent = a.day + (a.working_day ? "" : "（非工作日）");
  $("attendance").tBodies[0].replaceChildren(...a.staff.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.staff = p.staff_id;
    [staffName(p.staff_id), hhmm(p.checkin), p.checkout ? hhmm(p.checkout) : "未签退",
      ATTENDANCE[p.status] || p.status, why(p, rules)].forEach((v, i) => {
      const td = tr.insertCell();
      td.textContent = v;
      // Shown before the time when a narrow screen stacks the row (manager.css).
      if (i === 1 || i === 2) td.dataset.label = $("attendance").tHead.rows[0].cells[i].textContent;
      if (i === 3 && !["normal", "leave", "day_off", "pending"].includes(p.status)) td.className = "bad-status";
    });
    return tr;
  }));
}

function showProblems(problems) {
  const box = $("load-error");
  box.hidden = problems.length === 0;
  if (!problems.length) { box.replaceChildren(); return; }
  const ul = document.createElement("ul");
  problems.forEach((p) => { const li = document.createElement("li"); li.textContent = p; ul.appendChild(li); });
  box.replaceChildren("以下数据未能加载，页面上的数字不完整。Some figures could not be loaded:", ul);
}

const localDay = () => { const d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 10); };
const rangeQuery = () => `start=${$("from").value}&end=${$("to").value}`;

async function load() {
  const problems = [];
  const part = async (what, path, use, tiles, onFail) => {
    try { use(await api(path)); }
    catch (e) {
      if (!(e instanceof LoadError)) throw e;
      problems.push(`${what}：${e.message}`);
      failTiles(tiles);
      if (onFail) onFail();
    }
  };
  await part("今日概况 today's overview（/statistics/overview）", "/statistics/overview", renderOverview,
    ["waiting", "open-windows", "bad-open"],
    () => ["chart-wait", "chart-trend"].forEach((id) => $(id).replaceChildren()));
  if (!$("to").value) $("to").value = overview ? overview.day : localDay();
  if (!$("from").value) $("from").value = $("to").value;
  $("range-note").textContent = `${$("from").value} 至 ${$("to").value}`;
  await Promise.all([
    part("区间统计 figures for the range（/statistics）", `/statistics?${rangeQuery()}&period=month&by=hall`,
      renderRange, RANGE_TILES),
    part("各窗口评价 ratings by window（/statistics?by=window）", `/statistics?${rangeQuery()}&period=month&by=window`,
      renderWindows, [], () => $("chart-ratings").replaceChildren()),
    part("考勤 attendance（/attendance/daily）", `/attendance/daily?date=${$("to").value}`,
      renderAttendance, [], () => $("attendance").tBodies[0].replaceChildren()),
    part("登录失败 sign-in failures（/sign-in/failures）", "/sign-in/failures",
      window.renderSignIn, [], () => window.renderSignIn(null)),
    part("个人信息查阅 personal-data reads（/personal-data/reads）", "/personal-data/reads?limit=50",
      window.renderReads, [], () => window.renderReads(null)),
    part("终端 terminals（/devices）", "/devices",
      window.renderTerminals, [], () => window.renderTerminals(null)),
    part("未知令牌 unknown tokens（/devices/refused-tokens）", "/devices/refused-tokens",
      window.renderRefusedTokens, [], () => window.renderRefusedTokens(null)),
    part("空岗告警 empty windows（/vacancy）", "/vacancy",
      window.renderVacancy, [], () => window.renderVacancy(null)),
    part("今日暂停 pauses（/vacancy/pauses）", "/vacancy/pauses",
      window.renderPauses, [], () => window.renderPauses(null)),
    part("办件督办 case warnings（/cases/digest）", "/cases/digest",
      window.renderDigest, [], () => window.renderDigest(null)),
    part("办件回访 callbacks（/callbacks）", "/callbacks",
      window.renderCallbacks, [], () => window.renderCallbacks(null)),
    part("帮办代办 help calls（/help）", "/help",
      window.renderHelp, [], () => window.renderHelp(null)),
    part("首问登记 enquiries（/enquiries）", `/enquiries?contact=false&day=${$("to").value}`,
      window.renderEnquiries, [], () => window.renderEnquiries(null)),
    part("首问统计 enquiry counts（/enquiries/counts）", `/enquiries/counts?${rangeQuery()}`,
      window.renderEnquiryCounts, [], () => window.renderEnquiryCounts(null)),
    part("公告 announcements（/announcements）", "/announcements",
      window.renderAnnouncements, [], () => window.renderAnnouncements(null)),
    // 请假 and 分管领导签到 (manager_leave.js): the month of the range's end.
    part("待审批请假 pending leave（/leave）", "/leave?status=requested",
      window.renderLeavePending, [], () => window.renderLeavePending(null)),
    part("本月请假 leave this month（/leave）", `/leave?month=${$("to").value.slice(0, 7)}`,
      window.renderLeaveMonth, [], () => window.renderLeaveMonth(null)),
    part("领导签到 leaders' sign-ins（/leaders/visits）", `/leaders/visits?month=${$("to").value.slice(0, 7)}`,
      window.renderLeaders, [], () => window.renderLeaders(null)),
    part("投诉 complaints（/complaints）", "/complaints",
      window.renderComplaints, [], () => window.renderComplaints(null)),
  ]);
  showProblems(problems);
}

async function refresh() {
  // An event during a load may come after that load read what it changed: load once more
  // then (never drop it, or the page shows the state before the event for good).
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    do { refreshAgain = false; await load(); } while (refreshAgain);
    document.body.dataset.loaded = String(Date.now()); // settled: every event so far is shown
  })().finally(() => { refreshing = null; });
  return refreshing;
}

async function download(format) {
  // The export needs the token: fetched here, then handed to the browser as a file.
  const r = await fetch(`${API}/statistics/export?${rangeQuery()}&period=day&by=hall&format=${format}`,
    { headers: { "Authorization": "Bearer " + token } }).catch(() => null);
  if (!r || !r.ok) {
    showProblems([`导出 ${format.toUpperCase()} export：` + (r ? `HTTP ${r.status}` : "连不上大厅服务。Cannot reach the hall service.")]);
    return;
  }
  const name = (r.headers.get("Content-Disposition") || "").split("filename=")[1] || "statistics." + format;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await r.blob());
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  document.body.dataset.downloaded = name;
}

let following = null; // the AbortController of the open event stream: signing out closes it

async function follow() {
  // SSE over fetch: resume after the last id seen when the stream drops; one loop per sign-in.
  let last = null;
  const mine = new AbortController();
  if (following) following.abort();
  following = mine;
  while (!mine.signal.aborted) {
    try {
      const r = await fetch(API + "/events" + (last ? "?after=" + last : ""),
        { headers: { "Authorization": "Bearer " + token }, signal: mine.signal });
      if (r.status === 401) { logout("登录已失效，请重新登录。Session ended: sign in again."); return; }
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
          if (type && /^(evaluation|rectification|ticket\.finished|ticket\.issued|window|attendance|vacancy|case|callback|leave|leader|complaint|help|enquiry)/.test(type)) refresh();
        }
      }
    } catch (e) { /* reconnect below */ }
    $("live").className = "off";
    if (!token || mine.signal.aborted) return;
    await new Promise((ok) => setTimeout(ok, 2000));
  }
}

function start() {
  $("signin").hidden = true;
  $("main").hidden = false;
  window.managerLogin.who(token);
  const mine = token; // signed out (or in again) before the first load ended: no stream for it
  refresh().then(() => { if (token && token === mine) follow(); }, () => {});
}

window.managerLogin.init((t) => { token = t; start(); },
  () => { token = null; if (following) following.abort(); });
$("range").addEventListener("submit", (ev) => { ev.preventDefault(); refresh(); });
$("export-csv").addEventListener("click", () => download("csv"));
$("export-xlsx").addEventListener("click", () => download("xlsx"));
legend();
window.managerApi = api;
window.managerRefresh = refresh;
window.managerNames = { staffName, windowName };
window.managerOverview = () => overview;

if (token) start(); else logout();
