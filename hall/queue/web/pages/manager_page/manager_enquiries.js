// The 首问登记 panel: the enquiries logged by the staff first asked on the range's last day
// (GET /enquiries?contact=false: no personal data, so a refresh records no read), the
// callers' contacts on request (GET /enquiries: each shown contact is a recorded read),
// and the counts per clerk and matter over the page's range (GET /enquiries/counts).
// "各部门应建立首问负责制登记薄,详细记录行政管理相对人拟办事项情况及办理结果".
// Loaded before manager.js, whose load() calls window.renderEnquiries / renderEnquiryCounts.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const CHANNEL = { in_person: "当面", phone: "电话", other: "其他" };
  const ANSWER = { answered: "当场答复", referred: "转交办理", guided: "引导到窗口", recorded: "登记后回复" };
  const hms = (iso) => (iso ? iso.slice(11, 16) : "—");
  let shownDay = null;

  function who(id) {
    return id.startsWith("manager:") ? "管理人员 " + id.slice("manager:".length)
      : window.managerNames.staffName(id);
  }

  function contactText(e) {
    if (e.contact) return [e.contact.name, e.contact.phone].filter(Boolean).join(" ");
    return e.has_contact ? "已登记 on file" : "—";
  }

  function fill(data) {
    const list = data ? data.enquiries : [];
    shownDay = data ? data.day : null;
    const rows = list.map((e) => {
      const tr = document.createElement("tr");
      tr.dataset.id = String(e.id);
      [hms(e.at), who(e.staff_id), e.window ? window.managerNames.windowName(e.window) : "—",
        CHANNEL[e.channel] || e.channel, e.topic, e.matter || "—",
        (ANSWER[e.answer] || e.answer) + (e.referred_to ? " → " + e.referred_to : ""),
        contactText(e)].forEach((v) => { tr.insertCell().textContent = v; });
      return tr;
    });
    $("enquiry-list").tBodies[0].replaceChildren(...rows);
    $("enquiry-empty").hidden = !data || rows.length > 0;
    $("enquiry-day").textContent = data ? data.day : "未加载";
    $("enquiry-contacts").disabled = !list.some((e) => e.has_contact && !e.contact);
  }

  /** Fill the day's list from GET /enquiries?contact=false (null: not loaded). */
  window.renderEnquiries = fill;

  /** Fill the counts from GET /enquiries/counts (null: not loaded). */
  window.renderEnquiryCounts = function (data) {
    const staff = data ? Object.entries(data.by_staff) : [];
    $("enquiry-counts").tBodies[0].replaceChildren(...staff.map(([id, n]) => {
      const tr = document.createElement("tr");
      const matters = data.by_staff_matter.filter((m) => m.staff_id === id)
        .map((m) => `${m.matter || "未指明"} ${m.count}`).join("，");
      [who(id), String(n), matters].forEach((v) => { tr.insertCell().textContent = v; });
      return tr;
    }));
    $("enquiry-total").textContent = data ? `${data.start} 至 ${data.end} 共 ${data.total} 件` : "未加载";
  };

  $("enquiry-contacts").addEventListener("click", async () => {
    $("enquiry-error").textContent = "";
    try {
      fill(await window.managerApi(`/enquiries?day=${encodeURIComponent(shownDay || "")}`));
    } catch (e) {
      $("enquiry-error").textContent = "未能读取 Not read: " + e.message;
    }
  });
})();
