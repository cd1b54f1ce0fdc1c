// The 差评 table's rows and the in-page forms of its steps (核实, 整改, 回访, 复核).
// Each form offers Chinese choices mapped to the API's keys; nothing is typed in English.
// Loaded before manager.js, which provides window.managerApi / managerRefresh / managerNames.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const LEVEL = { 1: "非常不满意", 2: "不满意" };
  const days = (key, fallback) => {
    const o = window.managerOverview && window.managerOverview();
    return (o && o.rectification_days && o.rectification_days[key]) || fallback;
  };
  // What each form asks: its title, the choices (API value, Chinese label) and the note's label.
  const FORMS = {
    verify: () => ({ title: "核实", field: "complexity", note: "核实情况（已与群众联系的结果）", choices: [
      ["simple", `一般问题（${days("simple_fix_days", 5)} 个工作日内整改）`],
      ["complex", `复杂问题（${days("complex_fix_days", 15)} 个工作日内整改）`]] }),
    fix: () => ({ title: "整改", field: "action", note: "整改情况", choices: [
      ["fixed", "已整改"], ["explained", "已向群众解释说明"]] }),
    callback: () => ({ title: "回访", field: "answer", note: "回访记录", choices: [
      ["satisfied", "满意"], ["basically_satisfied", "基本满意"], ["unsatisfied", "不满意"],
      ["unreachable", "联系不上"]] }),
    appeal: () => ({ title: "复核（申诉）", field: "decision", note: "复核理由（必填）", noteRequired: true,
      choices: [["upheld", "申诉成立：恶意或误操作，撤销差评"], ["rejected", "申诉不成立：维持差评"]] }),
  };
  const NEXT = { open: "verify", verified: "fix", fixed: "callback" };
  let current = null; // { kind, c }

  function cell(tr, value, cls) {
    const td = tr.insertCell();
    if (value instanceof Node) td.appendChild(value); else td.textContent = value;
    if (cls) td.className = cls;
    return td;
  }

  function reasons(c) {
    const box = document.createElement("div");
    (c.tags || []).forEach((t) => {
      const span = document.createElement("span");
      span.className = "tag";
      span.textContent = t;
      box.appendChild(span);
    });
    if (c.comment) {
      const p = document.createElement("div");
      p.className = "comment";
      p.textContent = "“" + c.comment + "”";
      box.appendChild(p);
    }
    if (!box.childNodes.length) box.textContent = "（未填写原因）";
    return box;
  }

  function button(label, kind, c) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.step = kind;
    b.className = "act-button";
    b.addEventListener("click", () => open(kind, c));
    return b;
  }

  /** One row of the 差评 table: names, not ids; the citizen's reasons; the next step's button. */
  window.badRow = function (c) {
    const names = window.managerNames;
    const tr = document.createElement("tr");
    tr.dataset.case = c.id;
    const step = (s) => `${s.done ? "已办 " + s.done : "未办"}，限 ${s.due}`;
    cell(tr, c.number);
    cell(tr, names.windowName(c.window));
    cell(tr, c.staff_name || (c.staff_id ? c.staff_id : "—"));
    cell(tr, LEVEL[c.level] || String(c.level));
    cell(tr, reasons(c));
    const state = c.state_label + (c.appeal ? (c.appeal.decision === "upheld" ? "（申诉成立）" : "（申诉不成立）") : "");
    cell(tr, state);
    ["verify", "fix", "callback"].forEach((k) => cell(tr, step(c.steps[k]), c.steps[k].overdue ? "overdue" : ""));
    const td = cell(tr, "");
    if (NEXT[c.state]) td.appendChild(button(FORMS[NEXT[c.state]]().title, NEXT[c.state], c));
    if (!["closed", "appealed"].includes(c.state) && !c.appeal) td.appendChild(button("复核", "appeal", c));
    return tr;
  };

  function open(kind, c) {
    const f = FORMS[kind]();
    current = { kind, c, f };
    $("act-title").textContent = `${f.title}：差评 ${c.number}`;
    $("act-case").textContent = `${window.managerNames.windowName(c.window)}，` +
      `${c.staff_name || "—"}，${LEVEL[c.level] || ""}${c.comment ? "：“" + c.comment + "”" : ""}`;
    $("act-choices").replaceChildren(...f.choices.map(([value, label], i) => {
      const l = document.createElement("label");
      const input = document.createElement("input");
      Object.assign(input, { type: "radio", name: "act-choice", value, checked: i === 0 });
      l.append(input, label);
      return l;
    }));
    $("act-note-label").textContent = f.note;
    $("act-note").value = "";
    $("act-error").textContent = "";
    $("act").showModal();
  }

  async function submit(ev) {
    ev.preventDefault();
    if (!current) return;
    const { kind, c, f } = current;
    const choice = (document.querySelector("input[name=act-choice]:checked") || {}).value;
    const note = $("act-note").value.trim();
    if (f.noteRequired && note.length < 2) { $("act-error").textContent = "请填写复核理由（至少两个字）。"; return; }
    const body = kind === "appeal" ? { decision: choice, reason: note } : { note, [f.field]: choice };
    const path = kind === "appeal" ? `/evaluations/${c.rating_id}/appeal` : `/rectifications/${c.id}/${kind}`;
    $("act-submit").disabled = true;
    try {
      await window.managerApi(path, { method: "POST", body: JSON.stringify(body) });
      $("act").close();
      current = null;
      window.managerRefresh();
    } catch (e) {
      $("act-error").textContent = "没有保存：" + e.message;
    } finally {
      $("act-submit").disabled = false;
    }
  }

  $("act-form").addEventListener("submit", submit);
  $("act-cancel").addEventListener("click", () => { $("act").close(); current = null; });
})();
