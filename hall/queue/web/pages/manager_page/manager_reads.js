// The personal-data reads panel: who opened which self-service case's applicant data,
// when, in full or masked (GET /personal-data/reads; the daemon records each view).
// Loaded before manager.js, whose load() calls window.renderReads with the answer.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  // "2026-06-02T10:00:03+08:00" → "06-02 10:00:03" (the hall's local time, from the daemon).
  const when = (iso) => (iso ? iso.slice(5, 10) + " " + iso.slice(11, 19) : "—");
  const WHAT = { "submission.detail": "查看", "submission.accept": "受理", "submission.return": "退回补正",
    "submission.finish": "办结", "submission.reject": "退回", "complaint.view": "查看投诉" };

  function who(actor) {
    const [role, id] = [actor.slice(0, actor.indexOf(":")), actor.slice(actor.indexOf(":") + 1)];
    if (role === "staff") {
      const name = window.managerNames.staffName(id);
      return name === id ? id : `${name}（${id}）`;
    }
    return id + "（管理人员）";
  }

  /** Fill the panel from GET /personal-data/reads (null: it could not be loaded). */
  window.renderReads = function (data) {
    const reads = data ? data.reads : [];
    $("reads").tBodies[0].replaceChildren(...reads.map((r) => {
      const tr = document.createElement("tr");
      Object.assign(tr.dataset, { actor: r.actor, case: r.case, full: String(r.full) });
      [when(r.at), who(r.actor), r.receipt || r.case, WHAT[r.what] || r.what,
        r.full ? "完整" : "已遮蔽", r.window ? `${r.window}号窗口` : r.address].forEach((v) => {
        tr.insertCell().textContent = v;
      });
      return tr;
    }));
    $("reads-empty").hidden = !data || reads.length > 0;
  };
})();
