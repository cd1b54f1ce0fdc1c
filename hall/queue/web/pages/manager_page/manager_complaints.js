// The 投诉登记 panel: complaints lodged by phone, letter, 意见箱, the web, in person or at a
// kiosk (GET /complaints: no personal data, overdue ones first and marked red like the 差评
// steps), the form to lodge one (POST /complaints), and the handling of one: its text,
// the citizen's contact and its events (GET /complaints/{id}, a recorded read), then
// 交办 / 答复 / 办结 / 回访满意度 (POST /complaints/{id}/{action}).
// Loaded before manager.js, whose load() calls window.renderComplaints; "一般3日内做出答复".
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const CHANNEL = { phone: "电话", letter: "信函", box: "意见箱", web: "网上", in_person: "当面",
    kiosk: "自助终端" };
  const STATUS = { open: "待处理", assigned: "已交办", replied: "已答复", closed: "已办结" };
  const OUTCOME = { substantiated: "属实", unsubstantiated: "不属实" };
  const SATISFACTION = { satisfied: "满意", basic: "基本满意", unsatisfied: "不满意" };
  const ACTION = { lodge: "登记", assign: "交办", reply: "答复", close: "办结", satisfaction: "满意度" };
  let current = null; // the complaint open in the handling pane

  function subject(c) {
    const names = window.managerNames;
    const parts = [];
    if (c.subject_window) parts.push(names.windowName(c.subject_window));
    if (c.subject_staff) parts.push(names.staffName(c.subject_staff));
    if (c.subject_department) parts.push(c.subject_department);
    return parts.join(" ") || "—";
  }

  function cell(tr, value, cls) {
    const td = tr.insertCell();
    if (value instanceof Node) td.appendChild(value); else td.textContent = value;
    if (cls) td.className = cls;
  }

  function handleButton(c) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "act-button";
    b.textContent = "处理 Handle";
    b.addEventListener("click", () => open(c.id));
    return b;
  }

  /** Fill the list from GET /complaints (null: it could not be loaded). */
  window.renderComplaints = function (data) {
    const list = data ? data.complaints : [];
    const rows = list.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.id = c.id;
      tr.dataset.overdue = c.overdue ? "1" : "";
      cell(tr, c.id);
      cell(tr, CHANNEL[c.channel] || c.channel);
      cell(tr, c.received_on);
      cell(tr, subject(c));
      cell(tr, c.due_on + (c.overdue ? " 已超期" : ""), c.overdue ? "overdue" : "");
      cell(tr, STATUS[c.status] || c.status);
      cell(tr, c.assigned_to ? window.managerNames.staffName(c.assigned_to) : "—");
      cell(tr, OUTCOME[c.outcome] || "—");
      cell(tr, SATISFACTION[c.satisfaction] || "—");
      cell(tr, handleButton(c));
      return tr;
    });
    $("complaint-list").tBodies[0].replaceChildren(...rows);
    $("complaint-empty").hidden = !data || rows.length > 0;
    const late = list.filter((c) => c.overdue).length;
    $("complaints-overdue").textContent = data ? (late ? `${late} 件超期 overdue` : "") : "未加载";
    $("complaints-overdue").className = late ? "alerting" : "";
  };

  async function open(id) {
    $("complaint-act-error").textContent = "";
    try {
      current = await window.managerApi(`/complaints/${encodeURIComponent(id)}`);
    } catch (e) {
      $("complaint-act-error").textContent = "未能打开 Cannot open: " + e.message;
      return;
    }
    const c = current;
    const contact = [c.contact.name, c.contact.phone].filter(Boolean).join(" ") || "匿名 anonymous";
    $("complaint-detail-id").textContent = `${c.id}（${CHANNEL[c.channel] || c.channel}，${c.received_on}）`;
    $("complaint-detail-summary").textContent = c.summary;
    $("complaint-detail-contact").textContent = contact;
    $("complaint-detail-reply").textContent = c.reply || "—";
    $("complaint-detail-events").replaceChildren(...c.events.map((e) => {
      const li = document.createElement("li");
      const detail = e.detail.to || OUTCOME[e.detail.outcome] || SATISFACTION[e.detail.satisfaction] || "";
      li.textContent = `${e.at.slice(0, 16).replace("T", " ")} ${ACTION[e.action] || e.action} ${e.actor} ${detail}`;
      return li;
    }));
    const unreplied = c.status === "open" || c.status === "assigned";
    $("complaint-assign-box").hidden = !unreplied;
    $("complaint-reply-box").hidden = !unreplied;
    $("complaint-close").hidden = c.status !== "replied";
    $("complaint-rate-box").hidden = unreplied || Boolean(c.satisfaction);
    $("complaint-detail").hidden = false;
  }

  async function act(action, body) {
    $("complaint-act-error").textContent = "";
    try {
      await window.managerApi(`/complaints/${encodeURIComponent(current.id)}/${action}`,
        { method: "POST", body: JSON.stringify(body) });
    } catch (e) {
      $("complaint-act-error").textContent = "未完成 Not done: " + e.message;
      return;
    }
    await open(current.id);
    window.managerRefresh();
  }

  $("complaint-assign").addEventListener("click", () => act("assign", { to: $("complaint-to").value.trim() }));
  $("complaint-send-reply").addEventListener("click", () => act("reply",
    { text: $("complaint-reply").value.trim(), outcome: $("complaint-outcome").value }));
  $("complaint-close").addEventListener("click", () => act("close", {}));
  $("complaint-rate").addEventListener("click", () => act("satisfaction",
    { value: $("complaint-satisfaction").value }));
  $("complaint-detail-hide").addEventListener("click", () => { $("complaint-detail").hidden = true; });

  $("complaint-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const optional = (id) => $(id).value.trim() || null;
    const body = {
      channel: $("complaint-channel").value,
      summary: $("complaint-summary").value.trim(),
      contact: { name: optional("complaint-name"), phone: optional("complaint-phone") },
      subject_window: optional("complaint-window") && Number($("complaint-window").value),
      subject_staff: optional("complaint-staff"),
      subject_department: optional("complaint-dept"),
    };
    $("complaint-error").textContent = "";
    $("complaint-lodge").disabled = true;
    try {
      const r = await window.managerApi("/complaints", { method: "POST", body: JSON.stringify(body) });
      $("complaint-receipt").textContent = `已登记 Lodged ${r.id}，答复期限 reply by ${r.due_on}；` +
        `群众查询码 follow key ${r.follow_key}`;
      $("complaint-form").reset();
      window.managerRefresh();
    } catch (e) {
      $("complaint-error").textContent = "没有登记 Not lodged: " + e.message;
    } finally {
      $("complaint-lodge").disabled = false;
    }
  });
})();
