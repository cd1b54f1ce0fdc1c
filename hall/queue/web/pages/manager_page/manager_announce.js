// The announcements panel (公示/通报): publish one (POST /announcements) with its kind, zh/en
// text, schedule and targets, and list them (GET /announcements) with a button to withdraw one
// still scheduled or in force (POST /announcements/{id}/withdraw). Times typed here are the
// browser's local time (the hall's, on the hall's PCs), sent with its offset.
// Loaded before manager.js, whose load() calls window.renderAnnouncements.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const STATES = { scheduled: "待发布 scheduled", in_force: "发布中 in force", ended: "已结束 ended",
    withdrawn: "已撤回 withdrawn" };
  const short = (iso) => (iso ? iso.slice(5, 16).replace("T", " ") : "—");

  /** "2026-06-02T12:00" (datetime-local) → the same with the browser's offset, or null. */
  function moment(value) {
    if (!value) return null;
    const d = new Date(value);
    const off = -d.getTimezoneOffset();
    const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
    return `${value.length === 16 ? value + ":00" : value}${off >= 0 ? "+" : "-"}${pad(off / 60)}:${pad(off % 60)}`;
  }

  function where(t) {
    const out = [];
    if (t.hall) out.push("大厅屏");
    if (t.lobby) out.push("显示屏");
    if (t.windows === "all") out.push("全部窗口");
    else if (t.windows.length) out.push(t.windows.join("、") + "号窗口");
    return out.join(" ");
  }

  function withdrawButton(a) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "act-button";
    b.textContent = "撤回 Withdraw";
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await window.managerApi(`/announcements/${a.id}/withdraw`, { method: "POST" });
        window.managerRefresh();
      } catch (e) {
        b.disabled = false;
        $("announce-error").textContent = "没有撤回 Not withdrawn: " + e.message;
      }
    });
    return b;
  }

  /** Fill the list from GET /announcements (null: it could not be loaded). */
  window.renderAnnouncements = function (list) {
    const rows = (list || []).map((a) => {
      const tr = document.createElement("tr");
      tr.dataset.id = a.id;
      tr.dataset.state = a.state;
      [a.kind_zh, a.text_zh + (a.text_en ? " / " + a.text_en : ""), short(a.from), short(a.until),
        where(a.targets), STATES[a.state] || a.state, a.created_by].forEach((v) => {
        tr.insertCell().textContent = v;
      });
      const act = tr.insertCell();
      if (a.state === "scheduled" || a.state === "in_force") act.appendChild(withdrawButton(a));
      return tr;
    });
    $("announcement-list").tBodies[0].replaceChildren(...rows);
    $("announcement-empty").hidden = !list || rows.length > 0;
  };

  $("announce-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const windows = $("announce-windows").value.trim();
    const body = {
      kind: $("announce-kind").value,
      text_zh: $("announce-zh").value,
      text_en: $("announce-en").value,
      until: moment($("announce-until").value),
      hall: $("announce-hall").checked,
      lobby: $("announce-lobby").checked,
      windows: windows === "all" ? "all"
        : windows.split(/[,，、\s]+/).filter(Boolean).map((n) => Number(n)),
    };
    const from = moment($("announce-from").value);
    if (from) body.starts = from;
    $("announce-error").textContent = "";
    $("announce-publish").disabled = true;
    try {
      await window.managerApi("/announcements", { method: "POST", body: JSON.stringify(body) });
      $("announce-zh").value = $("announce-en").value = "";
      window.managerRefresh();
    } catch (e) {
      $("announce-error").textContent = "没有发布 Not published: " + e.message;
    } finally {
      $("announce-publish").disabled = false;
    }
  });
})();
