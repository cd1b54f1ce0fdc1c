// The 请假 panel: pending leave requests with 批准/不批准 (POST /leave/{id}/approve|refuse,
// with an optional note; the daemon records the manager), the month's leave (GET
// /leave?month=) and the 分管领导's sign-ins against the required count (GET
// /leaders/visits?month=). The month is the one of the range's end date (the 至 field).
// Loaded before manager.js, whose load() calls window.renderLeavePending, renderLeaveMonth
// and renderLeaders; the page reloads on the leave.* and leader.* events.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const HALF = { am: "上午", pm: "下午" };
  const STATUS = { requested: "待审批 pending", approved: "已批准 approved",
    refused: "不批准 refused", cancelled: "已撤销 cancelled" };
  const APPROVER = { department_head: "部门负责人或管理人员", manager: "中心管理人员" };

  /** "2026-06-02 上午 至 2026-06-04 下午" (one half-day: "2026-06-02 上午"). */
  function period(r) {
    const a = `${r.start_day} ${HALF[r.start_half]}`;
    const b = `${r.end_day} ${HALF[r.end_half]}`;
    return a === b ? a : `${a} 至 ${b}`;
  }

  const days = (n) => `${n} 天`;
  const cover = (r) => (r.cover_staff ? `${r.cover_name}（${r.cover_staff}）` : "—");
  const who = (actor) => (actor ? actor.replace(/^manager:/, "管理人员 ") : "—");

  function row(values, attrs) {
    const tr = document.createElement("tr");
    Object.assign(tr.dataset, attrs || {});
    values.forEach((v) => {
      const td = tr.insertCell();
      if (v instanceof Node) td.appendChild(v); else td.textContent = v;
    });
    return tr;
  }

  function decideCell(r) {
    const box = document.createElement("span");
    const note = document.createElement("input");
    note.className = "leave-note";
    note.maxLength = 500;
    note.placeholder = "意见 Note";
    const error = document.createElement("span");
    error.className = "error";
    const button = (what, label) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = what === "approve" ? "act-button" : "";
      b.dataset.act = what;
      b.textContent = label;
      b.addEventListener("click", async () => {
        box.querySelectorAll("button").forEach((x) => { x.disabled = true; });
        error.textContent = "";
        try {
          await window.managerApi(`/leave/${r.id}/${what}`, { method: "POST",
            body: JSON.stringify({ note: note.value }) });
          window.managerRefresh();
        } catch (e) {
          box.querySelectorAll("button").forEach((x) => { x.disabled = false; });
          error.textContent = "未完成 Not done: " + e.message;
        }
      });
      return b;
    };
    box.append(note, button("approve", "批准 Approve"), button("refuse", "不批准 Refuse"), error);
    return box;
  }

  /** The rules in force (config leave:), in words. */
  function rule(r) {
    return `请假 ${r.head_max_days} 天以内由部门负责人（首席代表）或中心管理人员批准，更长的由中心管理人员批准；` +
      `请假 ${r.cover_from_days} 天以上须确定顶岗接替人员，批准后顶岗人员可在请假期间登录请假人的窗口。` +
      "考勤中批准的请假记为请假，不记旷工。" +
      `Up to ${r.head_max_days} day: the department head or a manager approves; longer: a manager. ` +
      `From ${r.cover_from_days} days a cover is named, who may open the clerk's windows during the leave.`;
  }

  /** Fill the pending requests from GET /leave?status=requested (null: not loaded). */
  window.renderLeavePending = function (data) {
    const found = data ? data.requests : [];
    $("leave-rule").textContent = data ? rule(data.rules) : "";
    $("leave-pending").tBodies[0].replaceChildren(...found.map((r) => row(
      [`${r.name}（${r.staff_id}）`, period(r), days(r.days), r.kind, r.reason || "—", cover(r),
        APPROVER[r.approver] || r.approver, decideCell(r)],
      { id: String(r.id), staff: r.staff_id })));
    $("leave-pending-empty").hidden = !data || found.length > 0;
    $("leave-pending-count").textContent = data ? String(found.length) : "未加载";
    $("leave-pending-count").className = found.length ? "alerting" : "";
  };

  /** Fill the month's requests from GET /leave?month= (null: not loaded). */
  window.renderLeaveMonth = function (data) {
    const found = data ? data.requests : [];
    $("leave-month").textContent = data ? data.month : "";
    $("leave-month-list").tBodies[0].replaceChildren(...found.map((r) => row(
      [`${r.name}（${r.staff_id}）`, period(r), days(r.days), r.kind, cover(r),
        STATUS[r.status] || r.status, who(r.decided_by)],
      { id: String(r.id), status: r.status })));
    $("leave-month-empty").hidden = !data || found.length > 0;
  };

  /** Fill the leaders' counts from GET /leaders/visits?month= (null: not loaded). */
  window.renderLeaders = function (data) {
    const found = data ? data.leaders : [];
    $("leader-visits").tBodies[0].replaceChildren(...found.map((m) => {
      const tr = row([m.name, m.title || "—", String(m.visits), String(m.required),
        m.met ? "已达到 met" : "未达到 short", m.days.map((d) => d.slice(5)).join("、") || "—"],
      { leader: m.id, met: String(m.met) });
      if (!m.met) tr.cells[4].className = "bad-status";
      return tr;
    }));
    $("leader-visits-empty").hidden = !data || found.length > 0;
  };
})();
