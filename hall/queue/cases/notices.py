"""The notices a case gives the citizen, built from the case view (GET /api/v1/cases/{receipt}).

:func:`build_notice` makes one of :data:`KINDS` from the register's case view
dict and the hall's :class:`~hall.queue.cases.notice_parts.HallInfo`; a kind
that does not apply to the case as it stands (a 延期告知书 for a case never
extended) is a 409 naming why. What each says follows the seeds
(../shared/seeds), quoted where a line comes from them. Pure: no database, no
clock; the date issued is the day of the action the notice announces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from hall.queue.cases.notice_parts import (
    HallInfo,
    Notice,
    Row,
    Text,
    case_rows,
    date_text,
    days_text,
    event_day,
    last_event,
)
from hall.queue.core.domain import QueueError, conflict

#: Each kind of notice and its title.
TITLES = {
    "promise": Text("承诺通知书", "Notice of promised completion"),
    "correction": Text("补正材料通知书", "Notice of materials to supply"),
    "extension": Text("延期告知书", "Notice of extension"),
    "refusal": Text("不予受理(退件)通知书", "Notice of refusal"),
    "pickup": Text("领取通知", "Notice of pickup"),
}
KINDS = tuple(TITLES)
#: The pickup line of the seeds: 承诺件 "服务对象到时凭通知书到服务大厅领件".
BRING = Text(
    "到时请凭本通知书和申请人本人身份证到服务大厅领件。",
    "When it is ready, bring this notice and the applicant's ID card to the hall to collect it.",
)
#: The citizen's remedy against a refusal. The seeds have no wording for it; this is
#: the usual line of such notices (行政许可法 第三十八条: a refusal in writing states
#: its reasons and "告知申请人享有依法申请行政复议或者提起行政诉讼的权利"; 行政复议法:
#: 60 days; 行政诉讼法 第四十六条: six months).
REMEDY = Text(
    "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，"
    "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。",
    "If you disagree with this decision, you may apply for administrative reconsideration"
    " within 60 days of receiving this notice, or bring an administrative lawsuit before a"
    " people's court within six months of receiving it.",
)


def _not_applicable(kind: str, zh: str, en: str) -> QueueError:
    return conflict(
        "notice_not_applicable",
        f"{TITLES[kind].zh}不适用：{zh}",
        f"{TITLES[kind].en} does not apply: {en}",
        kind=kind,
    )


def _clock(case: Mapping[str, Any]) -> Mapping[str, Any]:
    return case.get("clock") or {}


def _promise(case: Mapping[str, Any], hall: HallInfo) -> tuple[list[Row], list[Text]]:
    clock = _clock(case)
    if case.get("kind") == "即办件":
        raise _not_applicable("promise", "即办件当场办结", "an on-the-spot case is done at once")
    if case.get("status") == "rejected":
        raise _not_applicable("promise", "案件已不予受理", "the case was refused")
    if not clock.get("promised_date"):
        # While it waits for 补正 or is suspended there is no date to promise.
        raise _not_applicable(
            "promise",
            f"计时已停止（{(clock.get('why') or {}).get('zh', '')}），暂无承诺办结日期",
            f"the clock is stopped ({(clock.get('why') or {}).get('en', '')}): no promised date",
        )
    limit = int(clock.get("limit", case.get("limit_days", 0)))
    rows = [
        Row(Text("承诺时限", "Time limit"), days_text(limit)),
        Row(Text("承诺办结日期", "Promised by"), date_text(clock["promised_date"]), strong=True),
    ]
    paragraphs = [
        Text(
            "本件已收件，将在承诺时限内办结。时限以工作日计算，收件当日不计，法定节假日不计。",
            "Your application has been received and will be completed within the time limit,"
            " counted in working days from the day after it was received (holidays excluded).",
        ),
        BRING,
    ]
    if clock.get("provisional"):
        paragraphs.append(PROVISIONAL)
    return rows, paragraphs


#: A promised date counted into a year whose holidays are not published yet (deadline.py).
PROVISIONAL = Text(
    "次年法定节假日安排尚未公布，承诺办结日期暂按周一至周五计算；如遇节假日顺延，以窗口通知为准。",
    "Next year's public holidays are not published yet: the date counts Monday to Friday"
    " for now and moves if a holiday falls before it; the hall will tell you.",
)


def _correction(case: Mapping[str, Any], hall: HallInfo) -> tuple[list[Row], list[Text]]:
    missing = list(case.get("missing") or [])
    if case.get("status") != "returned" or not missing:
        raise _not_applicable(
            "correction", "案件未退回补正", "the case is not waiting for missing materials"
        )
    rows = [
        Row(Text(f"补正材料{i}", f"Missing item {i}"), Text(name), strong=True)
        for i, name in enumerate(missing, 1)
    ]
    event = last_event(case, "return") or {}
    note = (event.get("detail") or {}).get("note", "")
    # 一次性告知: every missing item is listed at once ("出具《补正材料通知书》,
    # 一次性告知需补交或修改的材料"); the clock: "材料不齐全或者不符合法定形式的,
    # 其办理时限从补全材料的次日起计算".
    paragraphs = [
        Text(
            "经审查，您的申请材料不齐全或不符合法定形式，请一次性补正以下材料：",
            "Your application is incomplete or not in the required form. Please supply all of"
            " the following at once:",
        ),
        Text(
            "办理时限从补全材料的次日起计算。",
            "The time limit counts from the day after the materials are complete.",
        ),
    ]
    if note:
        paragraphs.insert(1, Text(f"说明：{note}", f"Note: {note}"))
    return rows, paragraphs


def _extension(case: Mapping[str, Any], hall: HallInfo) -> tuple[list[Row], list[Text]]:
    extension = case.get("extension")
    event = last_event(case, "extend")
    if not extension or event is None:
        raise _not_applicable("extension", "案件未延期", "the case was never extended")
    clock = _clock(case)
    days = int(extension["days"])
    rows = [
        Row(Text("原承诺时限", "Time limit"), days_text(int(case.get("limit_days", 0)))),
        Row(Text("延长时限", "Extended by"), days_text(days), strong=True),
        Row(Text("延期原因", "Reason"), Text(extension.get("reason", ""))),
    ]
    if clock.get("promised_date"):
        new_date = date_text(clock["promised_date"])
        rows.append(Row(Text("延期后承诺办结日期", "New promised date"), new_date, strong=True))
    rows.append(Row(Text("批准人", "Approved by"), hall.signer(event.get("actor", ""))))
    # "因特殊情况不能按期办结需要延期的…经同意后方可延期。并向办事人告知,并说明原因和理由。"
    paragraphs = [
        Text(
            "因特殊情况，您的申请不能按期办结，经批准延期办理，特此告知。",
            "Owing to special circumstances your application cannot be completed on time; an"
            " extension has been approved, as set out here.",
        ),
        BRING,
    ]
    return rows, paragraphs


def _refusal(case: Mapping[str, Any], hall: HallInfo) -> tuple[list[Row], list[Text]]:
    rejection = case.get("rejection")
    if case.get("status") != "rejected" or not rejection:
        raise _not_applicable("refusal", "案件未被不予受理", "the case was not refused")
    event = last_event(case, "reject") or {}
    rows = [
        Row(Text("不予受理理由", "Reason"), Text(rejection.get("reason", "")), strong=True),
        Row(Text("法律依据", "Legal basis"), Text(rejection.get("basis", "")), strong=True),
        Row(Text("决定人", "Decided by"), hall.signer(event.get("actor", ""))),
    ]
    # The seeds: "应当在规定的时限内履行告知义务,并出具书面凭证。送达书面凭证之日即为
    # 办结或者答复的日期。" This notice is that written record.
    paragraphs = [
        Text(
            "经审查，您的申请不予受理，理由及依据如上。申请材料请向窗口取回。",
            "Your application is refused for the reason and on the legal basis above. Please"
            " collect your materials at the window.",
        ),
        REMEDY,
    ]
    return rows, paragraphs


def _pickup(case: Mapping[str, Any], hall: HallInfo) -> tuple[list[Row], list[Text]]:
    status = case.get("status")
    delivery = case.get("delivery") or {}
    if status == "ready":
        rows = [Row(Text("办理结果", "Result"), Text("已办结，待领取", "finished, ready"), True)]
        # "统一窗口出件": the result is handed out at the hall, against the ID card.
        return rows, [
            Text(
                "您申请的事项已办结。请携带申请人本人身份证和承诺通知书（或本通知）到服务大厅领取；"
                "代领的，请携带双方身份证。",
                "Your case is finished. Please bring the applicant's ID card and the notice of"
                " promised completion (or this notice) to the hall to collect it; someone"
                " collecting for the applicant brings both ID cards.",
            )
        ]
    if status == "delivered" and delivery.get("by") == "post":
        rows = [
            Row(Text("送达方式", "Delivery"), Text("快递寄送", "by express mail")),
            Row(Text("快递单号", "Tracking no."), Text(delivery.get("tracking") or ""), True),
        ]
        return rows, [
            Text(
                "您申请的事项已办结，结果已通过快递寄出，请凭快递单号查询并注意签收。",
                "Your case is finished and the result has been sent by express mail; follow it"
                " with the tracking number.",
            )
        ]
    if status == "delivered":
        rows = [Row(Text("送达方式", "Delivery"), Text("窗口领取", "collected at the window"))]
        return rows, [
            Text("您申请的事项已办结，结果已领取。", "Your case is finished and collected.")
        ]
    raise _not_applicable("pickup", "案件尚未办结待领取", "the case is not ready for pickup")


_BUILDERS: dict[str, Callable[[Mapping[str, Any], HallInfo], tuple[list[Row], list[Text]]]] = {
    "promise": _promise,
    "correction": _correction,
    "extension": _extension,
    "refusal": _refusal,
    "pickup": _pickup,
}
#: The history action whose day a notice of each kind carries as its date.
_ISSUED_BY = {
    "promise": ("supply", "open"),  # promised at receipt, again after 补正 (not at accept)
    "correction": ("return",),
    "extension": ("extend",),
    "refusal": ("reject",),
    "pickup": ("deliver", "ready"),
}


def _qr(case: Mapping[str, Any], hall: HallInfo) -> tuple[str | None, Text | None]:
    """The case's follow link (办件查询 + rating key), else the plain 办件查询 link."""
    if case.get("follow_url"):
        return case["follow_url"], Text(
            "扫码查询办理进度、评价服务", "Scan to follow your case and rate the service"
        )
    if hall.progress_url:
        url = hall.progress_url.replace("{receipt}", case["receipt"])
        return url, Text("扫码查询办理进度", "Scan to follow your case")
    return None, None


def build_notice(kind: str, case: Mapping[str, Any], hall: HallInfo) -> Notice:
    """The notice ``kind`` (:data:`KINDS`) for the case view ``case``; 409 if it does not apply.

    An unknown ``kind`` is a 404 naming the kinds there are.
    """
    if kind not in _BUILDERS:
        raise QueueError(
            404,
            "unknown_notice",
            f"没有这种通知书：{kind}（可选：{', '.join(KINDS)}）",
            f"no such notice {kind!r} (one of {', '.join(KINDS)})",
        )
    rows, paragraphs = _BUILDERS[kind](case, hall)
    issued = event_day(case, *_ISSUED_BY[kind]) or dt.date.fromisoformat(case["received_on"])
    qr, caption = _qr(case, hall)
    return Notice(
        kind=kind,
        receipt=case["receipt"],
        title=TITLES[kind],
        rows=tuple(case_rows(case) + rows),
        paragraphs=tuple(paragraphs),
        qr=qr,
        qr_caption=caption,
        hall=Text(hall.name, hall.name_en),
        issued=issued,
        contacts=hall.contact_rows(),
    )
