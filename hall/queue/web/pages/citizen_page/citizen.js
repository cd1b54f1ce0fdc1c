// The citizen's pages (ticket, 办件查询): follow a ticket, send a 好差评 rating.
// The server renders each page complete; this script only keeps a waiting ticket
// up to date and posts the rating with the case's rating key (from the QR code's link),
// which the server put in page-data only when the page was opened with it.
"use strict";

(function () {
  const holder = document.getElementById("page-data");
  if (!holder) return;
  const data = JSON.parse(holder.textContent);
  const s = data.strings || {};
  const $ = (id) => document.getElementById(id);

  // -- follow a ticket: poll its state, reload when its status or window changes --
  if (data.poll) {
    let busy = false;
    const tick = async () => {
      if (busy || document.visibilityState === "hidden") return;
      busy = true;
      try {
        const r = await fetch(data.poll, { cache: "no-store" });
        if (r.ok) {
          const state = await r.json();
          if (state.key !== data.key) { location.reload(); return; }
          for (const [id, text] of Object.entries(state.texts || {})) {
            const node = $(id);
            if (node) node.textContent = text;
          }
        }
      } catch (e) {
        // No network for a moment: the next tick tries again.
      } finally {
        busy = false;
      }
    };
    setInterval(tick, data.poll_s * 1000);
  }

  // -- 好差评 --
  const form = $("rating");
  if (!form || !data.rate) return;
  const levels = Array.from(form.querySelectorAll("button.level"));
  const reasons = $("reasons");
  const result = $("rating-result");
  const send = $("send");
  let level = 0;

  const finish = (text) => {
    result.textContent = text;
    result.className = "result";
    form.querySelector(".levels").hidden = true;
    reasons.hidden = true;
  };
  const busy = (on) => {
    for (const b of [...levels, send]) b.disabled = on;
    if (on) { result.className = "result"; result.textContent = s.sending; }
  };
  const post = async () => {
    const bad = level <= 2;
    const tags = bad
      ? Array.from(form.querySelectorAll("input[name=tag]:checked")).map((i) => i.value)
      : [];
    const comment = bad ? $("comment").value.trim() : "";
    const body = Object.assign({}, data.rate, { level: level, tags: tags, comment: comment });
    busy(true);
    try {
      const r = await fetch(data.rate_url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      // A 差评: say when the hall will get in touch (the configured working days).
      if (r.status === 201) { finish(bad ? s.thanks_bad : s.thanks); return; }
      let err = {};
      try { err = (await r.json()).error || {}; } catch (e) { err = {}; }
      if (err.code === "already_rated") { finish(s.already_rated); return; }
      busy(false);
      result.className = "result error";
      result.textContent = (data.lang === "en" ? err.message_en : err.message) || s.rate_failed;
    } catch (e) {
      busy(false);
      result.className = "result error";
      result.textContent = s.offline;
    }
  };

  for (const button of levels) {
    button.addEventListener("click", () => {
      level = Number(button.dataset.level);
      for (const b of levels) b.classList.toggle("chosen", b === button);
      if (level <= 2) {
        // 差评: the reasons and a comment first, then "send".
        reasons.hidden = false;
        result.textContent = "";
        send.scrollIntoView({ block: "nearest" });
      } else {
        reasons.hidden = true;
        post();
      }
    });
  }
  send.addEventListener("click", () => { if (level) post(); });
})();
