// The terminals panel: cases a kiosk's outbox holds because the daemon refused them for good
// (from GET /devices: an outbox device's "rejected"), with a button to take one up
// (POST /devices/{name}/outbox/{receipt}/ack, recorded with the manager's name; the kiosk then
// removes the citizen's data), and the requests refused for an unknown token
// (GET /devices/refused-tokens: address, a hash prefix of the token, count, last seen).
// Loaded before manager.js, whose load() calls window.renderTerminals and renderRefusedTokens.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
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

  function ackButton(device, receipt) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "act-button";
    b.textContent = "已处理 Taken up";
    b.addEventListener("click", async () => {
      const note = window.prompt("如何处理（例如：已电话联系申请人）How was it taken up?", "");
      if (note === null) return;
      b.disabled = true;
      try {
        await window.managerApi(
          `/devices/${encodeURIComponent(device)}/outbox/${encodeURIComponent(receipt)}/ack`,
          { method: "POST", body: JSON.stringify({ note: note.slice(0, 200) }) });
        b.textContent = "已确认，等待终端清除 Acknowledged";
      } catch (e) {
        b.disabled = false;
        b.title = "没有确认：" + e.message;
        b.textContent = "重试 Retry";
      }
    });
    return b;
  }

  /** Fill the refused cases from GET /devices (null: it could not be loaded). */
  window.renderTerminals = function (devices) {
    const cases = [];
    (devices || []).forEach((d) => (d.rejected || []).forEach((r) => cases.push([d, r])));
    $("outbox-refused").tBodies[0].replaceChildren(...cases.map(([d, r]) => row(
      [d.id, r.receipt, r.reason || "—", ackButton(d.id, r.receipt)],
      { device: d.id, receipt: r.receipt })));
    $("outbox-refused-empty").hidden = !devices || cases.length > 0;
  };

  /** Fill the unknown tokens from GET /devices/refused-tokens (null: not loaded). */
  window.renderRefusedTokens = function (data) {
    const refused = data ? data.refused : [];
    $("refused-tokens").tBodies[0].replaceChildren(...refused.map((t) => row(
      [t.address, t.token_prefix === "" ? "无令牌 none" : t.token_prefix === "*" ? "其他多个 many" : t.token_prefix,
        String(t.count), when(t.first_at), when(t.last_at), t.last_path],
      { address: t.address, prefix: t.token_prefix })));
    $("refused-tokens-empty").hidden = !data || refused.length > 0;
  };
})();
