"""The register's sheets of the .xlsx export: 办结率 and 黄红牌 (hall/queue/stats/case_figures.py).

办结率: one block per grouping (department, matter, clerk), after the hall's own row;
黄红牌: the open warned cases today, by receipt, with no personal data (no name, no ID
number, no phone: a spreadsheet travels further than the manager page).
"""

from __future__ import annotations

from typing import Any

#: (header, how to read it from a figures row)
FIGURE_COLUMNS: list[tuple[str, Any]] = [
    ("收件 received", lambda r: r["received"]),
    ("办结 finished", lambda r: r["finished"]),
    ("退件 rejected", lambda r: r["rejected"]),
    ("在办 open", lambda r: r["open"]),
    ("办结率 completion_rate", lambda r: r["completion_rate"]),
    ("按时办结 on_time", lambda r: r["on_time"]),
    ("按时办结率 on_time_rate", lambda r: r["on_time_rate"]),
    ("平均用时(工作日) avg_used_days", lambda r: r["avg_used_days"]),
    ("延期 extensions", lambda r: r["extensions"]),
    ("暂停 suspensions", lambda r: r["suspensions"]),
    ("补正 returns", lambda r: r["returns"]),
    ("黄牌 yellow", lambda r: r["yellow"]),
    ("红牌 red", lambda r: r["red"]),
]
GROUP_WORDS = {
    "hall": "全厅 hall",
    "department": "部门 department",
    "matter": "事项 matter",
    "clerk": "经办人 clerk",
}
WARNING_WORDS = {"yellow": "黄牌 yellow", "red": "红牌 red"}


def _name(row: dict[str, Any]) -> str:
    name = row.get("name")
    return f"{name['zh']} {name['en']}".strip() if name else ""


def completion_table(figures: dict[str, Any]) -> list[list[Any]]:
    """办结率: header, then the hall row and one row per department, matter and clerk."""
    header = ["分组 by", "代码 code", "名称 name", *(h for h, _ in FIGURE_COLUMNS)]
    rows: list[list[Any]] = [header]
    groups = [("hall", [figures["hall"]])] + [(g, figures[g]) for g in GROUP_WORDS if g != "hall"]
    for group, found in groups:
        for r in found:
            rows.append(
                [GROUP_WORDS[group], r["group"], _name(r), *(get(r) for _, get in FIGURE_COLUMNS)]
            )
    return rows


def warnings_table(figures: dict[str, Any]) -> list[list[Any]]:
    """黄红牌: header, then one row per open warned case (receipt, matter, department, …)."""
    header = [
        "回执编号 receipt",
        "事项 matter",
        "部门 department",
        "承诺办结日 promised_date",
        "预警 warning",
        "剩余工作日 days_left",
    ]
    return [header] + [
        [
            c["receipt"],
            c["matter"],
            c["department"],
            c["promised_date"],
            WARNING_WORDS[c["warning"]],
            c["days_left"],
        ]
        for c in figures["warned"]
    ]


def add_sheets(wb: Any, figures: dict[str, Any]) -> None:
    """Append the 办结率 and 黄红牌 sheets to an openpyxl workbook."""
    for title, rows in (
        ("办结率", completion_table(figures)),
        ("黄红牌", warnings_table(figures)),
    ):
        sheet = wb.create_sheet(title)
        for values in rows:
            sheet.append(values)
        sheet.freeze_panes = "A2"
