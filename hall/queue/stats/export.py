"""Statistics as a table: CSV (UTF-8 with BOM, so Excel opens Chinese right) and .xlsx."""

from __future__ import annotations

import csv
import io
from typing import Any

from hall.queue.stats import case_export
from hall.queue.stats.day_cache import CASE_TYPES
from hall.queue.stats.figures import LEVEL_KEYS
from hall.words import PAUSE_REASON_WORDS

#: (header, how to read it from a statistics row)
COLUMNS: list[tuple[str, Any]] = [
    ("周期 period", lambda r: r["bucket"]),
    ("分组 group", lambda r: r["group"]),
    ("取号 issued", lambda r: r["issued"]),
    ("办结 served", lambda r: r["served"]),
    ("过号 no_shows", lambda r: r["no_shows"]),
    ("转移 transfers", lambda r: r["transfers"]),
    ("平均等候 wait_mean_s", lambda r: r["wait"]["mean_s"]),
    ("等候中位数 wait_median_s", lambda r: r["wait"]["median_s"]),
    ("等候P90 wait_p90_s", lambda r: r["wait"]["p90_s"]),
    ("平均办理 service_mean_s", lambda r: r["service_time"]["mean_s"]),
    ("办理中位数 service_median_s", lambda r: r["service_time"]["median_s"]),
    ("办理P90 service_p90_s", lambda r: r["service_time"]["p90_s"]),
    *[(t, lambda r, t=t: r["cases_by_type"][t]) for t in CASE_TYPES],
    ("办结率 completion_rate", lambda r: r["completion_rate"]),
    *[(k, lambda r, k=k: r["ratings"][k]) for k in LEVEL_KEYS.values()],
    ("已评价 rated", lambda r: r["rated"]),
    ("未评价 unrated", lambda r: r["unrated"]),
    ("复核撤销 appealed", lambda r: r["appealed"]),
    ("满意率 satisfaction", lambda r: r["satisfaction"]),
    ("差评 bad_opened", lambda r: r["bad"]["opened"]),
    ("差评办结 bad_closed", lambda r: r["bad"]["by_state"].get("closed", 0)),
    ("差评超期 bad_overdue", lambda r: r["bad"]["overdue"]),
    ("申报受理 submissions_accepted", lambda r: (r["submissions"] or {}).get("accepted")),
    ("申报办结 submissions_finished", lambda r: (r["submissions"] or {}).get("finished")),
    ("申报超期 submissions_overdue", lambda r: (r["submissions"] or {}).get("overdue")),
]


def table(stats: dict[str, Any]) -> list[list[Any]]:
    """Header row, then one row per bucket and group."""
    return [[h for h, _ in COLUMNS]] + [[get(r) for _, get in COLUMNS] for r in stats["rows"]]


def attendance_table(stats: dict[str, Any]) -> list[list[Any]]:
    """考勤: header row, then one row per bucket and staff member (days by status)."""
    rows = stats.get("attendance") or []
    statuses = sorted({k for r in rows for k in r["days"]})
    header = ["考勤时段 bucket", "工号 staff", *statuses]
    return [header] + [
        [r["bucket"], r["staff_id"], *(r["days"].get(k, 0) for k in statuses)] for r in rows
    ]


def vacancy_table(stats: dict[str, Any]) -> list[list[Any]]:
    """空岗/离岗: header row, then one row per bucket and window (minutes, one decimal)."""
    rows = stats.get("vacancy") or []

    def minutes(seconds: float) -> float:
        return round(seconds / 60, 1)

    header = ["周期 period", "窗口 window", "开放分钟 open_min", "暂停分钟 paused_min"]
    header += [f"{zh} {reason}_min" for reason, (zh, _en) in PAUSE_REASON_WORDS.items()]
    header += ["暂停次数 pauses", "空岗告警 alerts"]
    return [header] + [
        [r["bucket"], r["window"], minutes(r["open_s"]), minutes(r["paused_s"])]
        + [minutes(r["paused_by_reason"].get(reason, 0)) for reason in PAUSE_REASON_WORDS]
        + [r["pauses"], r["alerts"]]
        for r in rows
    ]


def outside_hours_table(stats: dict[str, Any]) -> list[list[Any]]:
    """午休/双休日/延时服务: header row, then one row per bucket and group (stats/outside_hours.py)."""
    rows = stats.get("outside_hours") or []
    header = [
        "周期 period",
        "分组 group",
        "办结 served",
        "午休 lunch",
        "双休日节假日 weekend_holiday",
    ]
    header += ["延时服务 after_close", "提前服务 before_open", "合计 outside_total"]
    header += ["预约取号 appointments_issued", "优先取号 priority_issued"]
    header += ["预约办结 appointments_served", "优先办结 priority_served"]
    out: list[list[Any]] = [header]
    for r in rows:
        issued = r["issued"] or {}
        out.append(
            [r["bucket"], r["group"], r["served"], r["lunch"], r["weekend_holiday"]]
            + [r["after_close"], r["before_open"], r["outside_total"]]
            + [issued.get("appointment"), issued.get("priority")]
            + [r["served_by_kind"]["appointment"], r["served_by_kind"]["priority"]]
        )
    return out


#: The label of the ledger head's row (hall/queue/ratings/anchor.py), published on every export.
HEAD_LABEL = "台账校验码 ledger head"


def head_rows(stats: dict[str, Any]) -> list[list[Any]]:
    """The ratings ledger's head at export time: label, ``<id>:<mac>``, hash, time (or none)."""
    head = stats.get("ledger_head")
    if not head:
        return []
    return [[HEAD_LABEL, head["published"], head["hash"], head["at"]]]


def to_csv(stats: dict[str, Any]) -> bytes:
    """The statistics as CSV bytes (one table, then the ledger head after a blank line)."""
    out = io.StringIO()
    csv.writer(out).writerows(table(stats))
    if stats.get("ledger_head"):
        csv.writer(out).writerows([[], *head_rows(stats)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(stats: dict[str, Any]) -> bytes:
    """The statistics as an .xlsx workbook (figures first, header row frozen).

    Then 考勤, 空岗离岗, 非工作时间 service, the 通报 when ``stats["report"]`` holds one
    (hall/queue/supervision/report_lines.py) and the ledger head.
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"{stats['period']}-{stats['by']}"
    for values in table(stats):
        ws.append(values)
    ws.freeze_panes = "A2"
    if stats.get("attendance"):
        sheet = wb.create_sheet("考勤")
        for values in attendance_table(stats):
            sheet.append(values)
    if stats.get("vacancy"):
        sheet = wb.create_sheet("空岗离岗 vacancy")
        for values in vacancy_table(stats):
            sheet.append(values)
    if stats.get("cases"):  # the register's 办结率 and 黄红牌 (stats/case_export.py)
        case_export.add_sheets(wb, stats["cases"])
    if stats.get("outside_hours"):
        sheet = wb.create_sheet("非工作时间 outside hours")
        for values in outside_hours_table(stats):
            sheet.append(values)
    if stats.get("report"):  # 通报 (hall/queue/supervision/report_lines.py)
        from hall.queue.supervision.report_lines import sheet_rows

        sheet = wb.create_sheet("通报")
        for values in sheet_rows(stats["report"]):
            sheet.append(values)
    if stats.get("ledger_head"):
        sheet = wb.create_sheet("台账 ledger")
        sheet.append(["", "记录号:校验码 id:mac", "hash", "导出时间 at"])
        for values in head_rows(stats):
            sheet.append(values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
