"""The notices built from a case view: what each says, its date, its QR code, and when it does not apply."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hall.config import load_config
from hall.queue.cases.notice_parts import HallInfo, Notice
from hall.queue.cases.notices import KINDS, REMEDY, build_notice
from hall.queue.core.domain import QueueError
from tests.queue.cases.case_views import (
    ID_NUMBER,
    RECEIPT,
    case_view,
    extended_case,
    posted_case,
    ready_case,
    refused_case,
    returned_case,
)
from tests.support import ROOT

PROGRESS = "http://hall.example/progress?receipt={receipt}"
HALL = HallInfo(
    name="示范区政务服务中心",
    name_en="Demo District Government Service Center",
    phone="0571-8800 0101",
    progress_url=PROGRESS,
    signers={"S004": ("刘洋", "首席代表", "chief representative")},
)


def rows(n: Notice) -> dict[str, str]:
    return {r.label.zh: r.value.zh for r in n.rows}


def text(n: Notice) -> str:
    """Every word of the notice, both languages."""
    parts = [n.title.zh, n.title.en]
    for r in (*n.rows, *n.contacts):
        parts += [r.label.zh, r.label.en, r.value.zh, r.value.en]
    for p in n.paragraphs:
        parts += [p.zh, p.en]
    return "\n".join(parts)


def test_promise_notice_says_the_date_what_to_bring_and_carries_the_follow_link() -> None:
    follow = "http://hall.example/progress?receipt=W0420260929001&k=abcdefghijklmnopqrstuv"
    n = build_notice("promise", case_view(follow_url=follow), HALL)
    got = rows(n)
    assert n.title.zh == "承诺通知书" and n.receipt == RECEIPT
    assert got["回执编号"] == RECEIPT
    assert got["申请事项"] == "不动产权证书补发" and got["承办部门"] == "不动产登记中心"
    assert got["申请人"] == "王小明"
    # The full ID number never goes on paper: the region (6) and the last four kept.
    assert got["身份证号"] == "110105********" + ID_NUMBER[-4:]
    assert ID_NUMBER not in text(n)
    assert got["承诺时限"] == "5个工作日"
    assert got["承诺办结日期"] == "2026年10月12日"  # case_views: worked out by hand
    assert any("凭本通知书" in p.zh and "身份证" in p.zh for p in n.paragraphs)
    assert n.qr == follow
    assert n.qr_caption is not None and n.qr_caption.zh == "扫码查询办理进度、评价服务"
    assert n.issued == dt.date(2026, 9, 29)  # the day it was accepted
    assert [r.label.zh for r in n.contacts] == ["咨询电话"]
    english = {r.label.en: r.value.en for r in n.rows}
    assert english["Promised by"] == "2026-10-12"


def test_a_reprint_without_the_follow_link_carries_the_plain_progress_link() -> None:
    n = build_notice("promise", case_view(), HALL)
    assert n.qr == PROGRESS.format(receipt=RECEIPT)
    assert n.qr_caption is not None and "评价" not in n.qr_caption.zh
    assert build_notice("promise", case_view(), HallInfo(name="x")).qr is None


def test_promise_after_supply_is_dated_on_the_supply_and_shows_the_new_date() -> None:
    case = returned_case()
    # Supplied Thursday 10-08: counted afresh from 10-09: 10-09, 10-10 (make-up Saturday),
    # 10-12, 10-13, 10-14: promised 2026-10-14.
    case["history"].append({**case["history"][-1], "day": "2026-10-08", "action": "supply"})
    case.update(status="accepted", missing=[])
    case["clock"].update(state="running", promised_date="2026-10-14", since=None)
    n = build_notice("promise", case, HALL)
    assert rows(n)["承诺办结日期"] == "2026年10月14日"
    assert n.issued == dt.date(2026, 10, 8)


@pytest.mark.parametrize(
    ("case", "why"),
    [
        (case_view(kind="即办件"), "即办件"),
        (returned_case(), "等待补正材料"),
        (refused_case(), "不予受理"),
    ],
)
def test_no_promise_notice_without_a_promised_date(case: dict, why: str) -> None:
    with pytest.raises(QueueError) as caught:
        build_notice("promise", case, HALL)
    assert caught.value.status == 409 and caught.value.code == "notice_not_applicable"
    assert why in caught.value.zh and "does not apply" in caught.value.en


def test_correction_notice_lists_every_missing_item_at_once() -> None:
    case = returned_case()
    n = build_notice("correction", case, HALL)
    missing = [r.value.zh for r in n.rows if r.label.zh.startswith("补正材料")]
    assert missing == case["missing"]  # all of them, in order (一次性告知)
    assert all(r.strong for r in n.rows if r.label.zh.startswith("补正材料"))
    words = text(n)
    assert "一次性补正" in words and "办理时限从补全材料的次日起计算" in words
    assert "原件须核对" in words  # the clerk's note
    assert n.issued == dt.date(2026, 9, 30)
    assert "承诺办结日期" not in rows(n)


def test_extension_notice_says_days_reason_new_date_and_the_chief_who_approved() -> None:
    n = build_notice("extension", extended_case(), HALL)
    got = rows(n)
    assert got["延长时限"] == "3个工作日" and got["原承诺时限"] == "5个工作日"
    assert got["延期原因"] == "需外调档案核实"
    assert got["延期后承诺办结日期"] == "2026年10月15日"  # case_views: by hand
    assert got["批准人"] == "首席代表 刘洋"
    assert n.issued == dt.date(2026, 10, 9)


def test_refusal_notice_gives_reason_basis_and_the_remedy() -> None:
    n = build_notice("refusal", refused_case(), HALL)
    got = rows(n)
    assert got["不予受理理由"] == "申请人非不动产权利人"
    assert got["法律依据"] == "《不动产登记暂行条例》第二十二条"
    assert got["决定人"] == "S005"  # not among HALL's signers: shown as recorded
    words = text(n)
    assert "行政复议" in words and "行政诉讼" in words and REMEDY.en in words
    assert n.issued == dt.date(2026, 9, 30)


def test_pickup_notice_for_the_window_and_for_the_post() -> None:
    at_hall = build_notice("pickup", ready_case(), HALL)
    assert any("身份证" in p.zh for p in at_hall.paragraphs)
    assert at_hall.issued == dt.date(2026, 10, 9)
    posted = build_notice("pickup", posted_case(), HALL)
    assert rows(posted)["快递单号"] == "SF1234567890"
    assert posted.issued == dt.date(2026, 10, 10)


@pytest.mark.parametrize(
    ("kind", "case"),
    [
        ("correction", case_view()),
        ("extension", case_view()),
        ("refusal", case_view()),
        ("refusal", returned_case()),
        ("pickup", case_view()),
        ("pickup", returned_case()),
    ],
)
def test_a_notice_that_does_not_apply_is_409(kind: str, case: dict) -> None:
    with pytest.raises(QueueError) as caught:
        build_notice(kind, case, HALL)
    assert caught.value.status == 409
    assert caught.value.details == {"kind": kind}


def test_an_unknown_kind_is_404_naming_the_kinds() -> None:
    with pytest.raises(QueueError) as caught:
        build_notice("receipt", case_view(), HALL)
    assert caught.value.status == 404
    assert all(k in caught.value.en for k in KINDS)


def test_every_notice_is_json() -> None:
    cases = {
        "promise": case_view(),
        "correction": returned_case(),
        "extension": extended_case(),
        "refusal": refused_case(),
        "pickup": ready_case(),
    }
    assert set(cases) == set(KINDS)
    for kind, case in cases.items():
        data = json.loads(json.dumps(build_notice(kind, case, HALL).as_dict()))
        assert data["kind"] == kind and data["receipt"] == RECEIPT
        assert data["footer"][0]["zh"] == HALL.name
        assert data["footer"][1]["en"] == f"Issued: {data['issued']}"
        assert all(set(r) == {"label", "value", "strong"} for r in data["rows"])


def test_hall_info_from_the_demo_config_names_chiefs_and_deputies() -> None:
    config = load_config(ROOT / "config.yaml")
    info = HallInfo.from_config(config, phone="0571-1", complaint_phone="0571-2")
    assert info.name == config.hall.name
    bdc = config.department("bdc")
    assert bdc is not None and bdc.deputy is not None
    names = {s.id: s.name for s in config.staff}
    assert info.signer(bdc.chief).zh == f"首席代表 {names[bdc.chief]}"
    assert info.signer(bdc.deputy).zh == f"首席代表(副) {names[bdc.deputy]}"
    assert info.signer("manager:boss").en == "the hall's management"
    # The demo hall has an address and no phone of its own: the matter's phones are given.
    assert config.hall.address and not config.hall.phone
    assert [r.value.zh for r in info.contact_rows()] == [config.hall.address, "0571-1", "0571-2"]
    own = config.model_copy(update={"hall": config.hall.model_copy(update={"phone": "12345"})})
    assert HallInfo.from_config(own, phone="0571-1").phone == "12345"
    assert info.progress_url == config.kiosk.progress_url


def test_a_promise_counted_into_next_year_says_the_date_may_move() -> None:
    plain = build_notice("promise", case_view(), HALL)
    case = case_view()
    case["clock"] = {**case["clock"], "promised_date": "2027-01-04", "provisional": True}
    n = build_notice("promise", case, HALL)
    assert rows(n)["承诺办结日期"] == "2027年01月04日"
    assert any("尚未公布" in p.zh and "holidays" in p.en for p in n.paragraphs)
    assert not any("尚未公布" in p.zh for p in plain.paragraphs)
