// The 空岗/离岗 panel: windows left empty too long while people wait (GET /vacancy: the open
// alerts, raised by the daemon on its clock and ended when the window opens) and today's
// pauses with their reason and duration (GET /vacancy/pauses). The page reloads on the
// vacancy.alert / vacancy.ended events (manager.js follow()).
// Loaded before manager.js, whose load() calls window.renderVacancy and window.renderPauses.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  // "2026-06-02T02:00:03.000+00:00" → "10:00" in the hall's zone (the browser's, on the hall PC).
  const hhmm = (iso) => (iso ? new Date(iso).toTimeString().slice(0, 5) : "—");
  const minutes = (s) => (s === null || s === undefined ? "—" : (s / 60).toFixed(0) + " 分钟");
  const STATE = { closed: "未开窗 closed", paused: "暂停 paused" };
  const reason = (r) => (r ? `${r.zh} ${r.en}` : "—");

  function row(values, attrs) {
    const tr = document.createElement("tr");
    Object.assign(tr.dataset, attrs || {});
    values.forEach((v) => { tr.insertCell().textContent = v; });
    return tr;
  }

  /** Fill the open alerts from GET /vacancy (null: it could not be loaded). */
  window.renderVacancy = function (data) {
    const alerts = data ? data.alerts : [];
    const names = window.managerNames;
    $("vacancy-alerts").tBodies[0].replaceChildren(...alerts.map((a) => row(
      [names.windowName(a.window), STATE[a.state] || a.state, reason(a.reason_words),
        minutes(a.empty_min * 60), String(a.waiting), hhmm(a.raised_at)],
      { window: String(a.window) })));
    $("vacancy-alerts-empty").hidden = !data || alerts.length > 0;
    $("vacancy-count").textContent = data ? String(alerts.length) : "未加载";
    $("vacancy-count").className = alerts.length ? "alerting" : "";
  };

  /** Fill today's pauses from GET /vacancy/pauses (null: not loaded). */
  window.renderPauses = function (data) {
    const found = data ? data.pauses : [];
    const names = window.managerNames;
    $("vacancy-pauses").tBodies[0].replaceChildren(...found.map((p) => row(
      [names.windowName(p.window), p.staff_id ? names.staffName(p.staff_id) : p.by,
        reason(p.reason_words), p.note || "", hhmm(p.started_at),
        p.open ? "暂停中 still paused" : hhmm(p.ended_at), minutes(p.duration_s)],
      { window: String(p.window), reason: p.reason })));
    $("vacancy-pauses-empty").hidden = !data || found.length > 0;
  };
})();
