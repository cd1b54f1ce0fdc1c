// The staff sign-in panel: recent failed sign-ins and the locks they caused, with an
// unlock button (POST /sign-in/unlock, recorded with the manager's name by the daemon).
// Loaded before manager.js, whose load() calls window.renderSignIn with /sign-in/failures.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const STATE = { failed: "失败", cleared: "已清除" };
  // "2026-06-02T10:00:03+08:00" → "06-02 10:00:03" (the hall's local time, from the daemon).
  const when = (iso) => (iso ? iso.slice(5, 10) + " " + iso.slice(11, 19) : "—");

  function row(values, attrs) {
    const tr = document.createElement("tr");
    Object.assign(tr.dataset, attrs || {});
    values.forEach((v) => {
      const td = tr.insertCell();
      if (v instanceof Node) td.appendChild(v); else td.textContent = v;
    });
    return tr;
  }

  function who(kind, subject, name) {
    if (kind === "address") return "终端 " + subject;
    if (subject.startsWith("manager:")) { // a manager account (POST /manager/login)
      const id = subject.slice("manager:".length);
      return name ? `管理人员 ${name}（${id}）` : `管理人员账号 ${id}（非本厅账号）`;
    }
    if (subject.startsWith("leader:")) { // a leader's sign-in (POST /leaders/sign-in)
      const id = subject.slice("leader:".length);
      return name ? `分管领导 ${name}（${id}）` : `领导账号 ${id}（非本厅账号）`;
    }
    return name ? `${name}（${subject}）` : `${subject}（非本厅工号）`;
  }

  function unlockButton(lock) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "act-button";
    b.textContent = "解锁 Unlock";
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await window.managerApi("/sign-in/unlock", { method: "POST",
          body: JSON.stringify({ kind: lock.kind, subject: lock.subject }) });
        window.managerRefresh();
      } catch (e) {
        b.disabled = false;
        b.title = "没有解锁：" + e.message;
        b.textContent = "重试 Retry";
      }
    });
    return b;
  }

  function lockState(lock) {
    if (lock.active) return "锁定中";
    if (lock.unlocked_by) return `已由 ${lock.unlocked_by.replace(/^manager:/, "")} 于 ${when(lock.unlocked_at)} 解锁`;
    return "已到期";
  }

  /** Fill the panel from GET /sign-in/failures (null: it could not be loaded). */
  window.renderSignIn = function (data) {
    const locks = data ? data.locks : [];
    const failures = data ? data.failures : [];
    $("sign-in-locks").tBodies[0].replaceChildren(...locks.map((l) => row(
      [who(l.kind, l.subject, l.name), String(l.failures), when(l.locked_at), when(l.until),
        lockState(l), l.active ? unlockButton(l) : ""],
      { lock: l.id, kind: l.kind, subject: l.subject, active: String(l.active) })));
    $("sign-in-failures").tBodies[0].replaceChildren(...failures.map((f) => row(
      [when(f.at), f.staff_id, f.name || "（非本厅工号）", f.address, STATE[f.state] || f.state],
      { staff: f.staff_id })));
    $("sign-in-locks-empty").hidden = !data || locks.length > 0;
    $("sign-in-failures-empty").hidden = !data || failures.length > 0;
  };
})();
