// The 通报 panel: a month (2026-10), quarter (2026Q4) or year (2026) is summed up from
// GET /reports/{period}.json (served, outside regular hours, 满意率, 办结率), and the A4 page
// (.html, self-contained: open it and print, or save as PDF) and the workbook (.xlsx) are
// downloaded with the manager's token. The PDF on the hall PC: python -m hall.queue report.
// Self-contained: binds its own form; reads the token from manager_login.js.
"use strict";

(function () {
  const API = "/api/v1";
  const $ = (id) => document.getElementById(id);
  const pct = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(2) + "%");
  const auth = () => ({ headers: { "Authorization": "Bearer " + window.managerLogin.token() } });
  const explain = async (r) => {
    if (!r) return "连不上大厅服务。Cannot reach the hall service.";
    const body = await r.json().catch(() => null);
    const err = (body && body.error) || {};
    return err.message ? `${err.message}。${err.message_en || ""}` : `HTTP ${r.status}`;
  };

  function period() {
    return encodeURIComponent($("report-period").value.trim());
  }

  async function show(event) {
    event.preventDefault();
    $("report-error").textContent = "";
    const r = await fetch(`${API}/reports/${period()}.json`, auth()).catch(() => null);
    if (!r || !r.ok) {
      $("report-summary").hidden = true;
      $("report-error").textContent = await explain(r);
      return;
    }
    const report = await r.json();
    const o = report.outside_hours;
    const cells = {
      "report-title": `${report.period.zh} ${report.period.en}（${report.period.start} – ${report.as_of}）`,
      "report-served": String(report.service.served),
      "report-outside": `${o.outside_total}（午休 ${o.lunch}，双休日节假日 ${o.weekend_holiday}，延时 ${o.after_close}）`,
      "report-satisfaction": pct(report.service.satisfaction),
      "report-completion": report.cases.available ? pct(report.cases.hall.completion_rate) : report.cases.zh,
    };
    Object.entries(cells).forEach(([id, value]) => { $(id).textContent = value; });
    $("report-summary").hidden = false;
    document.body.dataset.report = report.period.code;
  }

  async function download(suffix) {
    $("report-error").textContent = "";
    const r = await fetch(`${API}/reports/${period()}.${suffix}`, auth()).catch(() => null);
    if (!r || !r.ok) {
      $("report-error").textContent = await explain(r);
      return;
    }
    const name = `report-${decodeURIComponent(period())}.${suffix}`;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(await r.blob());
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    document.body.dataset.reportDownloaded = name;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("report-form").addEventListener("submit", show);
    $("report-html").addEventListener("click", () => download("html"));
    $("report-xlsx").addEventListener("click", () => download("xlsx"));
  });
})();
