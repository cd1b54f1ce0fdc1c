// The 帮办代办 panel: today's help calls from the kiosks (GET /help: when, which kiosk, who
// took it and how long the citizen waited for an answer), with 接手 for a call nobody has
// taken yet (POST /help/{id}/ack: the first one wins, a caller panel or this page).
// "配备2名的帮办、代办服务人员…代填表格". The page reloads on help.requested / help.taken
// (manager.js follow()). Loaded before manager.js, whose load() calls window.renderHelp.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  // "2026-06-02T10:00:03+08:00" → "10:00:03" (the hall's local time, from the daemon).
  const hms = (iso) => (iso ? iso.slice(11, 19) : "—");
  const took = (s) => (s === null || s === undefined ? "—"
    : s < 60 ? `${Math.round(s)} 秒` : `${Math.floor(s / 60)} 分 ${Math.round(s % 60)} 秒`);

  function taker(c) {
    if (!c.taken) return "待处理 waiting";
    const by = c.acknowledged_by || "";
    if (by.startsWith("manager:")) return "管理人员 " + by.slice("manager:".length);
    const names = window.managerNames;
    return `${names.staffName(by)}（${names.windowName(c.window)}）`;
  }

  function takeButton(c) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "act-button";
    b.textContent = "接手 Take";
    b.addEventListener("click", async () => {
      b.disabled = true;
      $("help-error").textContent = "";
      try {
        await window.managerApi(`/help/${c.id}/ack`, { method: "POST" });
      } catch (e) {
        $("help-error").textContent = "没有接手 Not taken: " + e.message;
      }
      window.managerRefresh();
    });
    return b;
  }

  /** Fill the panel from GET /help (null: it could not be loaded). */
  window.renderHelp = function (data) {
    const calls = data ? data.help : [];
    const rows = calls.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.id = String(c.id);
      tr.dataset.taken = c.taken ? "1" : "";
      [hms(c.at), c.where || c.terminal, taker(c), took(c.answer_s)].forEach((v) => {
        tr.insertCell().textContent = v;
      });
      const act = tr.insertCell();
      if (!c.taken) act.appendChild(takeButton(c));
      return tr;
    });
    $("help-list").tBodies[0].replaceChildren(...rows);
    $("help-empty").hidden = !data || rows.length > 0;
    const waiting = calls.filter((c) => !c.taken).length;
    $("help-waiting").textContent = data ? (waiting ? `${waiting} 起待处理 waiting` : "") : "未加载";
    $("help-waiting").className = waiting ? "alerting" : "";
  };
})();
