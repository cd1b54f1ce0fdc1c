// The 考核 panel: scores of a period (GET /assessment?period=&kind=) with grade, rank and
// flags (多次差评), one clerk's or window's breakdown (each line names its source record),
// the 红黄牌/表扬 register (POST /cards, GET /cards, POST /cards/{id}/withdraw) and the
// 优秀窗口 of the period (GET /excellence, POST /excellence with or without publishing).
// Self-contained: it loads after each refresh of the page (manager.js sets body
// data-loaded when one settles) and after its own actions; #assessment[data-loaded] tells
// when it has. Loaded before manager.js, whose window.managerApi it calls.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const FLAG = (f) => f.zh;
  const CARD_STATE = (c) => (c.withdrawn ? `已撤销 withdrawn (${c.withdrawn_by})` : "有效 in force");
  const signed = (p) => (p > 0 ? "+" + p : String(p));
  let scores = null; // the last GET /assessment
  let latest = 0; // loads overlap (a refresh, a button): only the latest one is shown

  function cells(tr, values) {
    values.forEach((v) => { tr.insertCell().textContent = v; });
    return tr;
  }

  function button(label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "act-button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function showLines(row) {
    $("assess-detail-title").textContent = `扣分明细 Breakdown: ${row.name}（${row.target}）${row.score} 分`;
    $("assess-lines").tBodies[0].replaceChildren(...row.lines.map((ln) => {
      const tr = cells(document.createElement("tr"), [ln.day, `${ln.kind_zh} ${ln.kind_en}`,
        signed(ln.points), ln.id ? `${ln.source} #${ln.id}` : `${ln.source}（无记录 no record）`]);
      tr.dataset.kind = ln.kind;
      return tr;
    }));
  }

  function renderScores(data) {
    scores = data;
    $("assess-scores").tBodies[0].replaceChildren(...data.rows.map((r) => {
      const tr = cells(document.createElement("tr"), [String(r.rank), `${r.name}（${r.target}）`,
        String(r.score), r.grade_zh, String(r.deducted), String(r.added),
        r.flags.map(FLAG).join("；")]);
      tr.dataset.target = r.target;
      tr.dataset.grade = r.grade;
      if (r.flags.length) tr.className = "alerting";
      tr.insertCell().appendChild(button("明细 Lines", () => showLines(r)));
      return tr;
    }));
  }

  function renderCards(list) {
    $("card-list").tBodies[0].replaceChildren(...list.map((c) => {
      const tr = cells(document.createElement("tr"), [c.day, c.kind_zh,
        (c.target_kind === "window" ? c.target + "号窗口" : c.target), c.reason, c.issued_by,
        CARD_STATE(c)]);
      tr.dataset.id = c.id;
      tr.dataset.withdrawn = String(c.withdrawn);
      const act = tr.insertCell();
      if (!c.withdrawn) {
        act.appendChild(button("撤销 Withdraw", async (ev) => {
          ev.target.disabled = true;
          try {
            await window.managerApi(`/cards/${c.id}/withdraw`, { method: "POST" });
          } catch (e) {
            $("card-error").textContent = "没有撤销 Not withdrawn: " + e.message;
          }
          load();
        }));
      }
      return tr;
    }));
  }

  function renderExcellence(data) {
    const rows = data.candidates.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.window = String(c.window);
      const box = document.createElement("input");
      box.type = "checkbox";
      box.disabled = c.confirmed;
      box.checked = !c.confirmed;
      tr.insertCell().appendChild(box);
      cells(tr, [`${c.window}号窗口 ${c.name}`, String(c.score), String(c.rank),
        c.confirmed ? "已确认 confirmed" : "候选 candidate"]);
      return tr;
    });
    $("excellence-list").tBodies[0].replaceChildren(...rows);
    $("excellence-empty").hidden = rows.length > 0;
  }

  async function load() {
    const period = $("assess-period").value.trim();
    const q = encodeURIComponent(period);
    const mine = ++latest;
    let shown;
    try {
      const [s, c, e] = await Promise.all([
        window.managerApi(`/assessment?period=${q}&kind=${$("assess-kind").value}`),
        window.managerApi(`/cards?period=${q}`),
        window.managerApi(`/excellence?period=${q}`),
      ]);
      shown = () => { renderScores(s); renderCards(c); renderExcellence(e); };
    } catch (err) {
      shown = () => { $("assess-error").textContent = "考核未能加载 Not loaded: " + err.message; };
    }
    if (mine !== latest) return; // a later load is on its way
    $("assess-error").textContent = "";
    shown();
    $("assessment").dataset.loaded = String(Date.now());
  }

  $("assess-form").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });

  $("card-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("card-error").textContent = "";
    const body = { kind: $("card-kind").value, target_kind: $("card-target-kind").value,
      target: $("card-target").value.trim(), day: $("card-day").value,
      reason: $("card-reason").value };
    try {
      await window.managerApi("/cards", { method: "POST", body: JSON.stringify(body) });
      $("card-reason").value = "";
    } catch (e) {
      $("card-error").textContent = "没有登记 Not issued: " + e.message;
    }
    load();
  });

  $("excellence-confirm").addEventListener("click", async () => {
    const windows = [...$("excellence-list").querySelectorAll("tbody tr")]
      .filter((tr) => tr.querySelector("input").checked && !tr.querySelector("input").disabled)
      .map((tr) => Number(tr.dataset.window));
    $("excellence-error").textContent = "";
    if (!windows.length) {
      $("excellence-error").textContent = "请先选择窗口。Choose at least one window.";
      return;
    }
    const body = { period: $("assess-period").value.trim(), windows,
      publish: $("excellence-publish").checked };
    try {
      await window.managerApi("/excellence", { method: "POST", body: JSON.stringify(body) });
      if (window.managerRefresh) window.managerRefresh(); // the new announcement
    } catch (e) {
      $("excellence-error").textContent = "没有确认 Not confirmed: " + e.message;
    }
    load();
  });

  // After each settled refresh of the page (manager.js sets body[data-loaded]).
  new MutationObserver(() => {
    if (!document.body.dataset.loaded) return;
    if (!$("assess-period").value) {
      const d = new Date();
      $("assess-period").value = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
    }
    if (!$("card-day").value) $("card-day").value = new Date().toISOString().slice(0, 10);
    load();
  }).observe(document.body, { attributes: true, attributeFilter: ["data-loaded"] });

  window.assessmentScores = () => scores;
})();
