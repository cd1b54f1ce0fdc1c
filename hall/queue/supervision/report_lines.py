"""The 通报's sections as labelled lines and tables: what the A4 page and the xlsx sheet print.

One list for both, so the sheet (hall/queue/stats/export.py, sheet "通报") and the page
(hall/queue/web/pages/report_page.py) never disagree. Every label is Chinese first,
English after; values are already words (``95.58%``, ``12.5分钟``); a section that
does not apply prints why (a year has no scores).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hall.queue.stats.figures import LEVEL_KEYS

_LEVEL_WORDS = {
    "very_satisfied": ("非常满意", "very satisfied"),
    "satisfied": ("满意", "satisfied"),
    "basically_satisfied": ("基本满意", "basically satisfied"),
    "dissatisfied": ("不满意", "dissatisfied"),
    "very_dissatisfied": ("非常不满意", "very dissatisfied"),
}

_CASE_TYPE_EN = {
    "即办件": "served on the spot",
    "承诺件": "promised by a date",
    "联办件": "joint cases",
    "上报件": "referred upwards",
    "补正": "materials to complete",
}


@dataclass
class Section:
    """A titled part of the report: label/value lines, or a table with a header row."""

    zh: str
    en: str
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (zh, en, value)
    header: list[str] = field(default_factory=list)  # "中文 English" per column
    table: list[list[str]] = field(default_factory=list)
    note: str = ""  # why a section is empty, both languages


def pct(value: float | None) -> str:
    """A 0..1 rate as a percentage with two decimals, as the seeds print them (95.58%)."""
    return "—" if value is None else f"{value * 100:.2f}%"


def minutes(seconds: float | None) -> str:
    """Seconds as minutes with one decimal, in both languages."""
    return "—" if seconds is None else f"{seconds / 60:.1f}分钟 min"


def _n(value: Any) -> str:
    return "—" if value is None else str(value)


def _service(r: dict[str, Any]) -> Section:
    s = r["service"]
    sec = Section("一、办件情况", "1. Service")
    sec.lines += [
        ("取号", "tickets taken", _n(s["issued"])),
        ("办结", "served", _n(s["served"])),
        ("过号", "no-shows", _n(s["no_shows"])),
        ("转移", "transfers", _n(s["transfers"])),
    ]
    if s.get("wait"):
        sec.lines += [
            ("平均等候", "mean wait", minutes(s["wait"]["mean_s"])),
            ("平均办理", "mean service time", minutes(s["service_time"]["mean_s"])),
            ("窗口办结率", "window completion rate", pct(s["completion_rate"])),
        ]
        sec.lines += [
            (t, f"{_CASE_TYPE_EN.get(t, 'cases')}", _n(n))
            for t, n in s["cases_by_type"].items()
            if n
        ]
    o = r["outside_hours"]
    sec.lines += [
        ("预约取号", "appointment tickets taken", _n(o["issued"]["appointment"])),
        ("优先取号", "priority tickets taken", _n(o["issued"]["priority"])),
        ("预约办结", "appointments served", _n(o["served_by_kind"]["appointment"])),
        ("优先办结", "priority tickets served", _n(o["served_by_kind"]["priority"])),
    ]
    return sec


def _outside(r: dict[str, Any]) -> Section:
    o = r["outside_hours"]
    lunch = "–".join(r["lunch_hours"])
    sec = Section("二、非工作时间服务", "2. Service outside regular hours")
    sec.lines = [
        (f"午休时间（{lunch}）", f"lunch hours ({lunch})", _n(o["lunch"])),
        ("双休日、节假日", "weekends and holidays", _n(o["weekend_holiday"])),
        ("延时服务（下班后）", "after closing (extended service)", _n(o["after_close"])),
        ("提前服务（上班前）", "before opening", _n(o["before_open"])),
        ("合计", "total outside regular hours", _n(o["outside_total"])),
    ]
    return sec


def _ratings(r: dict[str, Any]) -> Section:
    s = r["service"]
    sec = Section("三、好差评", "3. Ratings")
    if not s.get("ratings"):
        sec.note = "本期无评价 no ratings in this period"
        return sec
    sec.lines = [(*_LEVEL_WORDS[k], _n(s["ratings"][k])) for k in LEVEL_KEYS.values()]
    sec.lines += [
        ("已评价", "rated", _n(s["rated"])),
        ("未评价", "not rated", _n(s["unrated"])),
        ("满意率", "satisfaction", pct(s["satisfaction"])),
        ("复核撤销", "set aside on appeal", _n(s["appealed"])),
        ("差评整改立案", "bad-rating cases opened", _n(s["bad"]["opened"])),
        ("差评整改办结", "bad-rating cases closed", _n(s["bad"]["by_state"].get("closed", 0))),
        ("差评整改超期", "bad-rating cases overdue", _n(s["bad"]["overdue"])),
    ]
    return sec


def _cases(r: dict[str, Any]) -> Section:
    c = r["cases"]
    sec = Section("四、办件登记", "4. Case register")
    if not c["available"]:
        sec.note = f"{c['zh']} {c['en']}"
        return sec
    h = c["hall"]
    sec.lines = [
        ("受理", "received", _n(h["received"])),
        ("办结", "finished", _n(h["finished"])),
        ("不予受理", "refused", _n(h["rejected"])),
        ("办结率", "completion rate", pct(h["completion_rate"])),
        ("按时办结率", "finished on time", pct(h["on_time_rate"])),
        ("黄牌（预警）", "yellow (warning)", _n(h["yellow"])),
        ("红牌（超期）", "red (overdue)", _n(h["red"])),
    ]
    sec.header = [
        "部门 department",
        "受理 received",
        "办结率 completion",
        "按时 on time",
        "红牌 red",
    ]
    sec.table = [
        [
            d["name"],
            str(d["received"]),
            pct(d["completion_rate"]),
            pct(d["on_time_rate"]),
            str(d["red"]),
        ]
        for d in c["department"]
    ]
    return sec


def _complaints(r: dict[str, Any]) -> Section:
    c = r["complaints"]
    sec = Section("五、投诉处理", "5. Complaints")
    if not c["available"]:
        sec.note = f"{c['zh']} {c['en']}"
        return sec
    sat = c.get("satisfaction", {})
    sec.lines = [
        ("收到投诉", "received", _n(c["received"])),
        ("按时答复", "replied on time", _n(c["replied_on_time"])),
        ("逾期", "overdue", _n(c["overdue"])),
        ("办结", "closed", _n(c["closed"])),
        ("办结率", "closed rate", pct(c["closed_rate"])),
        ("属实", "substantiated", _n(c["substantiated"])),
        ("不属实", "not substantiated", _n(c["unsubstantiated"])),
        ("对答复满意", "satisfied with the answer", _n(sat.get("satisfied"))),
        ("对答复不满意", "not satisfied with the answer", _n(sat.get("unsatisfied"))),
    ]
    return sec


def _assessment(r: dict[str, Any]) -> Section:
    a = r["assessment"]
    sec = Section("六、考核", "6. Assessment")
    if not a["available"]:
        sec.note = f"{a['zh']} {a['en']}"
        return sec
    for kind, zh, en in (("window", "窗口", "windows"), ("staff", "工作人员", "clerks")):
        grades = "，".join(f"{g}{n}" for g, n in a[kind]["grades"].items()) or "—"
        sec.lines.append((f"{zh}等次", f"{en} by grade", grades))
    # The best windows and clerks by name ("最佳服务窗口", "最佳服务之星"); every window's
    # score is in the windows' table (section 8).
    for kind, zh, en in (("window", "窗口", "window"), ("staff", "工作人员", "clerk")):
        for r in a[kind]["rows"][:5]:
            sec.lines.append(
                (
                    f"{zh}第{r['rank']}名 {r['name']}",
                    f"{en} ranked {r['rank']}",
                    f"{r['score']:g} {r['grade_zh']}",
                )
            )
    return sec


def _enquiries(r: dict[str, Any]) -> Section:
    e = r["enquiries"]
    sec = Section("八、首问登记与帮办代办", "8. First-contact enquiries and kiosk help")
    by = e["enquiries_by_answer"]
    sec.lines = [
        ("首问登记", "enquiries logged", _n(e["enquiries"])),
        ("当场答复", "answered at once", _n(by.get("answered", 0))),
        ("转交办理", "referred", _n(by.get("referred", 0))),
        ("引导办理", "guided", _n(by.get("guided", 0))),
        ("帮办请求", "kiosk help requests", _n(e["help_requests"])),
        ("已响应", "acknowledged", _n(e["help_acknowledged"])),
        ("平均响应", "mean time to answer", minutes(e["help_mean_answer_s"])),
    ]
    return sec


def _people(r: dict[str, Any]) -> Section:
    sec = Section("七、请假与领导签到", "7. Leave and leaders' sign-ins")
    lv = r["leave"]
    sec.lines = [
        ("批准请假", "leave approved", _n(lv["approved"])),
        ("请假工作日", "working days of leave", f"{lv['days']:g}"),
        ("有顶岗人员", "with a named cover", _n(lv["with_cover"])),
    ]
    for leader in r["leaders"]["leaders"]:
        title = f"（{leader['title']}）" if leader["title"] else ""
        for m in leader["months"]:  # "分管领导每月必须到中心签到2次"
            short = "" if m["met"] else " 未达标 short"
            sec.lines.append(
                (
                    f"分管领导{leader['name']}{title} {int(m['month'][5:])}月签到",
                    f"leader's sign-in days {m['month']}",
                    f"{m['visits']}/{m['required']}{short}",
                )
            )
    if not r["leaders"]["leaders"]:
        sec.lines.append(("分管领导签到", "leaders' sign-ins", "未配置 none configured"))
    return sec


def _windows(r: dict[str, Any]) -> Section:
    sec = Section("九、各窗口", "9. Windows")
    sec.header = [
        "窗口 window",
        "办结 served",
        "满意率 satisfaction",
        "办结率 completion",
        "差评 bad",
        "考核 score",
    ]
    sec.table = [
        [
            w["name"],
            str(w["served"]),
            pct(w["satisfaction"]),
            pct(w["completion_rate"]),
            str(w["bad"]),
            "—" if w.get("score") is None else f"{w['score']:g} {w['grade_zh']}",
        ]
        for w in r["windows"]
    ]
    if not sec.table:
        sec.note = "本期无窗口办件 no window served anyone in this period"
    return sec


def sections(report: dict[str, Any]) -> list[Section]:
    """The report's sections in print order."""
    return [
        f(report)
        for f in (
            _service,
            _outside,
            _ratings,
            _cases,
            _complaints,
            _assessment,
            _people,
            _enquiries,
            _windows,
        )
    ]


def sheet_rows(report: dict[str, Any]) -> list[list[str]]:
    """The whole report as rows of an xlsx sheet: title, then each section's lines or table."""
    p = report["period"]
    rows = [[f"{report['hall']} {p['zh']}工作通报", f"Report of {p['en']}"]]
    rows.append(["统计期 period", f"{p['start']} – {p['end']}", f"截至 as of {report['as_of']}"])
    for sec in sections(report):
        rows += [[], [sec.zh, sec.en]]
        rows += [[f"{zh} {en}", value] for zh, en, value in sec.lines]
        if sec.table:
            rows += [sec.header, *sec.table]
        if sec.note:
            rows.append([sec.note])
    return rows
