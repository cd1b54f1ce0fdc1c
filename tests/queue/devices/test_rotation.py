"""BoardRotation: which board shows which text between calls, on a clock the test moves."""

from __future__ import annotations

from hall.queue.devices.rotation import BoardRotation

BOARDS = ["window-1", "window-2", "hall"]


def ann(id_: int, windows, hall=False, starts=0.0, ends=1000.0, text="公告") -> dict:
    return {
        "id": id_,
        "kind_zh": "通知",
        "text_zh": text,
        "starts_at": starts,
        "ends_at": ends,
        "targets": {"hall": hall, "lobby": False, "windows": windows},
    }


def test_idle_window_rotates_its_announcements_and_a_serving_one_is_held() -> None:
    r = BoardRotation(BOARDS, stay_s=5, hall_hold_s=20)
    r.set_announcements([ann(1, "all", text="甲"), ann(2, [2], text="乙")])
    r.base("window-1", "A001 请到1号窗口", 0, hold=True)
    r.base("window-2", "", 0)
    r.base("hall", "A001 请到1号窗口", 0)
    assert r.due(0) == [("window-2", "【通知】甲")]  # window 1 serves; the hall board is held
    assert r.due(4) == []
    assert r.due(5) == [("window-2", "【通知】乙")]
    assert r.due(10) == [("window-2", "【通知】甲")]
    r.base("window-1", "暂停服务", 11)  # paused: its own text first, then the announcement
    assert r.due(12) == []
    assert r.due(16) == [("window-1", "【通知】甲"), ("window-2", "【通知】乙")]
    assert r.due(21) == [("window-1", "暂停服务"), ("window-2", "【通知】甲")]


def test_hall_board_after_its_hold_and_back_to_its_text_when_withdrawn() -> None:
    r = BoardRotation(BOARDS, stay_s=5, hall_hold_s=20)
    r.set_announcements([ann(7, [], hall=True, text="表彰")])
    r.base("hall", "A001 请到1号窗口", 100)
    assert r.due(119) == []
    assert r.due(120) == [("hall", "【通知】表彰")]
    assert r.due(125) == [("hall", "A001 请到1号窗口")]
    assert r.due(130) == [("hall", "【通知】表彰")]
    r.withdrawn(7)
    assert r.due(131) == [("hall", "A001 请到1号窗口")]
    assert r.due(200) == []


def test_schedule_is_kept() -> None:
    r = BoardRotation(BOARDS, stay_s=5, hall_hold_s=20)
    r.published(ann(3, [1], starts=50, ends=60, text="政策"))
    assert r.due(10) == []
    assert r.due(50) == [("window-1", "【通知】政策")]
    assert r.due(60) == [("window-1", "")]  # ended: back to the blank idle board
    assert r.due(70) == []
