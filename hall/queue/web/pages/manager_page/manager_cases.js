// The 办件督办 panel: today's 黄牌/红牌 per department (GET /cases/digest, with the last
// working day's 办结 and how many on time) and the 回访 list of sampled finished cases
// (GET /callbacks), whose result the manager records here (POST /callbacks/{receipt}).
// Loaded before manager.js, whose load() calls window.renderDigest and window.renderCallbacks.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const name = (p) => (p.name ? p.name.zh : p.department);
  const RESULTS = [["satisfied", "满意 satisfied"], ["unsatisfied", "不满意 not satisfied"],
    ["unreached", "未联系上 not reached"]];

  function row(values, attrs) {
    const tr = document.createElement("tr");
    Object.assign(tr.dataset, attrs || {});
    values.forEach((v) => { tr.insertCell().textContent = v; });
    return tr;
  }

  /** Fill the per-department counts from GET /cases/digest (null: it could not be loaded). */
  window.renderDigest = function (data) {
    const parts = data ? data.departments : [];
    $("digest-departments").tBodies[0].replaceChildren(...parts.map((p) => {
      const tr = row([name(p), String(p.yellow.length), String(p.red.length),
        `${p.finished}（按时 ${p.on_time}）`], { department: p.department });
      if (p.yellow.length) tr.cells[1].className = "warn-yellow";
      if (p.red.length) tr.cells[2].className = "warn-red";
      return tr;
    }));
    $("digest-empty").hidden = !data || parts.length > 0;
    $("digest-since").textContent = data ? `${data.day}；办结统计日 ${data.since}` : "未加载";
    const red = parts.reduce((a, p) => a + p.red.length, 0);
    const yellow = parts.reduce((a, p) => a + p.yellow.length, 0);
    $("digest-red").textContent = data ? String(red) : "未加载";
    $("digest-yellow").textContent = data ? String(yellow) : "未加载";
  };

  async function recordResult(receipt, result) {
    const note = window.prompt("回访记录（可不填）Note (optional)", "") || "";
    try {
      await window.managerApi(`/callbacks/${encodeURIComponent(receipt)}`,
        { method: "POST", body: JSON.stringify({ result, note }) });
    } catch (e) {
      $("callbacks-error").textContent = e.message;
      return;
    }
    $("callbacks-error").textContent = "";
    window.managerRefresh();
  }

  /** Fill the 回访 list from GET /callbacks (null: not loaded). */
  window.renderCallbacks = function (data) {
    const found = data ? data.callbacks : [];
    $("callbacks").tBodies[0].replaceChildren(...found.map((c) => {
      const tr = row([c.receipt, c.matter || "—", c.department, c.finished_on || "—",
        c.result_label.zh, c.note || ""], { receipt: c.receipt });
      const cell = tr.insertCell();
      RESULTS.forEach(([result, label]) => {
        const b = document.createElement("button");
        b.type = "button";
        b.dataset.result = result;
        b.textContent = label;
        b.addEventListener("click", () => recordResult(c.receipt, result));
        cell.appendChild(b);
      });
      return tr;
    }));
    $("callbacks-empty").hidden = !data || found.length > 0;
    $("callbacks-rate").textContent = data ? `${(data.rate * 100).toFixed(1)}%` : "";
  };
})();
