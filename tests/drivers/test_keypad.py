"""KeypadBus and EvaluatorSessions against exact bytes, through a fake link and a fake clock."""

import pytest

from hall.drivers import bus485 as b
from hall.drivers.errors import DeviceOffline
from hall.drivers.evaluator import EvaluatorSessions, RatingOutcome
from hall.drivers.keypad import (
    Command,
    KeyCommand,
    KeypadBus,
    RatingEvent,
)
from hall.drivers.status import DeviceStatus


def key(addr, code):
    return b.encode_frame(addr, b.FUNC_CALLER_KEY, [code])


def rating(addr, raw):
    return b.encode_frame(addr, b.FUNC_RATING, [raw])


@pytest.fixture
def bus(fake_link):
    events = []
    bus = KeypadBus(
        fake_link,
        on_command=events.append,
        on_rating=events.append,
        four_key={7: {0: 2, 1: 3, 2: 4, 3: 5}},
    )
    bus.events = events
    return bus


@pytest.mark.parametrize(
    "code,command",
    [
        (0x0C, Command.CALL_NEXT),
        (0x0D, Command.RECALL),
        (0x0B, Command.FINISH),
        (0x12, Command.PAUSE_TOGGLE),
        (0x13, Command.TRANSFER),
    ],
)
def test_single_keys_are_commands_and_echoed(bus, fake_link, code, command):
    frame = key(3, code)
    bus.feed(frame)
    assert bus.events == [KeyCommand(3, command)]
    assert fake_link.sent == [frame]  # the echo is the acknowledgement


def test_key_is_the_last_data_byte(bus):
    bus.feed(b.encode_frame(3, b.FUNC_CALLER_KEY, [0x55, 0x0C]))
    assert bus.events == [KeyCommand(3, Command.CALL_NEXT)]


@pytest.mark.parametrize(
    "digit,command", [(6, Command.NO_SHOW), (0, Command.HOLD), (3, Command.CALL_BACK)]
)
def test_digit_then_confirm(bus, fake_link, digit, command):
    bus.feed(key(3, digit))
    assert bus.events == []
    bus.feed(key(3, b.KEY_CONFIRM))
    assert bus.events == [KeyCommand(3, command)]
    assert fake_link.sent == [key(3, digit), key(3, b.KEY_CONFIRM)]


def test_digit_buffers_are_per_address(bus):
    bus.feed(key(3, 6) + key(4, 0) + key(3, b.KEY_CONFIRM) + key(4, b.KEY_CONFIRM))
    assert bus.events == [KeyCommand(3, Command.NO_SHOW), KeyCommand(4, Command.HOLD)]


def test_non_digit_key_clears_the_digits(bus):
    bus.feed(key(3, 6) + key(3, b.KEY_CALL_NEXT) + key(3, b.KEY_CONFIRM))
    assert bus.events == [KeyCommand(3, Command.CALL_NEXT)]
    assert bus.devices()[3].unknown_keys == 1  # confirm with nothing typed


@pytest.mark.parametrize(
    "frames",
    [
        [key(3, 0x20)],  # no such key
        [key(3, 1), key(3, b.KEY_CONFIRM)],  # no such digit command
        [key(3, 6), key(3, 6), key(3, b.KEY_CONFIRM)],  # "66"
        [b.encode_frame(3, b.FUNC_CALLER_KEY, b"")],  # no key byte at all
    ],
)
def test_unknown_keys_are_counted_and_ignored(bus, fake_link, frames):
    bus.feed(b"".join(frames))
    assert bus.events == []
    assert bus.devices()[3].unknown_keys == 1
    assert fake_link.sent == frames  # still valid frames: still acknowledged


def test_bad_frames_are_not_acted_on_nor_echoed(bus, fake_link):
    bus.feed(key(3, b.KEY_RECALL))
    good = key(3, b.KEY_CALL_NEXT)
    bad_sum = good[:-2] + bytes([(good[-2] + 1) & 0xFF, 0x16])
    bus.feed(bad_sum + good[:-1] + b"\x00" + b"\x01\x02garbage")
    assert bus.events == [KeyCommand(3, Command.RECALL)]
    assert fake_link.sent == [key(3, b.KEY_RECALL)]
    assert bus.parser.frames_bad == 2
    assert bus.devices()[3].frames_bad == 2


def test_host_frames_heard_back_are_not_echoed(bus, fake_link):
    bus.feed(b.encode_frame(3, b.FUNC_DISPLAY, b.display_digits("A001")))
    assert fake_link.sent == []
    assert bus.host_frames_heard == 1


def test_unknown_function_is_acknowledged_and_counted(bus, fake_link):
    bus.feed(b.encode_frame(3, 0x42, b"\x01"))
    assert fake_link.sent == [b.encode_frame(3, 0x42, b"\x01")]
    assert bus.unknown_funcs == 1
    assert bus.events == []


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_five_level_rating(bus, fake_link, level):
    bus.feed(rating(5, level))
    assert bus.events == [RatingEvent(5, level, level, mapped_from_4key=False)]
    assert fake_link.sent == [rating(5, level)]


@pytest.mark.parametrize("raw,level", [(0, 2), (1, 3), (2, 4), (3, 5)])
def test_four_key_rating_is_mapped(bus, raw, level):
    bus.feed(rating(7, raw))
    assert bus.events == [RatingEvent(7, level, raw, mapped_from_4key=True)]


@pytest.mark.parametrize("addr,raw", [(5, 0), (5, 6), (7, 4), (7, 5)])
def test_out_of_range_rating_is_counted_and_ignored(bus, addr, raw):
    bus.feed(rating(addr, raw))
    assert bus.events == []
    assert bus.devices()[addr].bad_ratings == 1


@pytest.mark.parametrize("mapping", [{4: 5}, {0: 0}, {1: 6}])
def test_bad_four_key_mapping_is_refused(fake_link, mapping):
    with pytest.raises(ValueError):
        KeypadBus(fake_link, four_key={7: mapping})


def test_host_to_device_bytes(bus, fake_link):
    # CS = 3 + 0x02 + 0x0A * 3 + 0 + 0 + 1 = 0x24
    assert bus.show_number(3, "A001") == bytes.fromhex(
        "ff 68 08 08 68 03 02 0a 0a 0a 00 00 01 24 16"
    )
    # The count waiting, left-aligned: CS = 3 + 0x02 + 1 + 2 + 0x0A * 4 = 0x30
    assert bus.show_waiting(3, 12) == bytes.fromhex("ff 68 08 08 68 03 02 01 02 0a 0a 0a 0a 30 16")
    assert bus.beep(3) == bytes.fromhex("ff 68 02 02 68 03 03 06 16")
    # CS = 5 + 0x10 + "A001" (0x41 + 0x30 + 0x30 + 0x31) = 0xE7
    assert bus.ask_rating(5, "A001") == bytes.fromhex("ff 68 06 06 68 05 10 41 30 30 31 e7 16")
    assert bus.thank_you(5) == bytes.fromhex("ff 68 02 02 68 05 14 19 16")
    assert len(fake_link.sent) == 5


def test_ask_rating_needs_ascii(bus):
    with pytest.raises(ValueError):
        bus.ask_rating(5, "甲001")


def test_offline_link(bus, fake_link):
    fake_link.status = DeviceStatus.OFFLINE
    assert bus.status is DeviceStatus.OFFLINE
    with pytest.raises(DeviceOffline):
        bus.show_number(3, 1)
    bus.feed(key(3, b.KEY_CALL_NEXT))  # heard, but the echo cannot go out
    assert bus.events == [KeyCommand(3, Command.CALL_NEXT)]
    assert bus.echo_failures == 1


def test_device_list(bus):
    bus.feed(key(3, b.KEY_CALL_NEXT) + key(3, b.KEY_RECALL) + rating(5, 4))
    devices = bus.devices()
    assert set(devices) == {3, 5, 7}  # 7 is configured, never heard
    assert (devices[3].kind, devices[3].frames_ok) == ("caller", 2)
    assert (devices[5].kind, devices[5].frames_ok) == ("evaluator", 1)
    assert devices[3].last_frame is not None
    assert (devices[7].kind, devices[7].last_frame) == ("evaluator", None)


def test_failing_listener_does_not_lose_the_next_frame(fake_link):
    seen = []

    def on_command(event):
        seen.append(event)
        raise RuntimeError("listener bug")

    bus = KeypadBus(fake_link, on_command=on_command)
    bus.feed(key(3, b.KEY_CALL_NEXT) + key(3, b.KEY_RECALL))
    assert [e.command for e in seen] == [Command.CALL_NEXT, Command.RECALL]


# -- evaluator sessions -----------------------------------------------------------


@pytest.fixture
def sessions(bus, clock):
    results = []
    sessions = EvaluatorSessions(bus, timeout=30, on_result=results.append, clock=clock)
    bus.on_rating = sessions.handle_rating
    sessions.results = results
    return sessions


def test_rating_within_time(sessions, bus, fake_link, clock):
    sessions.ask(5, "A001")
    assert fake_link.sent == [b.encode_frame(5, b.FUNC_RATE_NOW, b"A001")]
    assert sessions.pending() == {5: "A001"}
    clock.advance(4)
    bus.feed(rating(5, 5))
    [result] = sessions.results
    assert (result.ticket, result.outcome, result.level, result.label) == (
        "A001",
        RatingOutcome.RATED,
        5,
        "非常满意",
    )
    assert result.elapsed == 4
    assert fake_link.sent[-1] == b.encode_frame(5, b.FUNC_THANK_YOU)
    assert sessions.pending() == {}


def test_second_key_for_the_same_ticket_is_ignored(sessions, bus):
    sessions.ask(5, "A001")
    bus.feed(rating(5, 4) + rating(5, 1))
    assert [r.level for r in sessions.results] == [4]
    assert sessions.duplicates == 1


def test_no_key_in_time_is_unrated(sessions, bus, fake_link, clock):
    sessions.ask(5, "A001")
    assert sessions.next_deadline() == clock.now + 30
    clock.advance(29.9)
    assert sessions.tick() == []
    clock.advance(0.1)
    [result] = sessions.tick()
    assert (result.outcome, result.level, result.label) == (RatingOutcome.TIMEOUT, None, "未评价")
    assert sessions.results == [result]
    assert fake_link.sent[-1] == b.encode_frame(5, b.FUNC_THANK_YOU)
    bus.feed(rating(5, 5))
    assert sessions.late == 1
    assert sessions.results == [result]


def test_key_after_deadline_but_before_tick_is_late(sessions, bus, clock):
    sessions.ask(5, "A001")
    clock.advance(31)
    bus.feed(rating(5, 5))
    assert sessions.results == []
    assert sessions.late == 1
    [result] = sessions.tick()
    assert result.outcome is RatingOutcome.TIMEOUT


def test_unsolicited_rating(sessions, bus):
    bus.feed(rating(5, 5))
    assert sessions.results == []
    assert sessions.unsolicited == 1


def test_asking_again_supersedes(sessions, bus, clock):
    sessions.ask(5, "A001")
    clock.advance(2)
    old = sessions.ask(5, "A002")
    assert (old.ticket, old.outcome, old.label) == ("A001", RatingOutcome.SUPERSEDED, "未评价")
    bus.feed(rating(5, 3))
    assert [(r.ticket, r.outcome) for r in sessions.results] == [
        ("A001", RatingOutcome.SUPERSEDED),
        ("A002", RatingOutcome.RATED),
    ]


def test_four_key_result_is_flagged(sessions, bus):
    sessions.ask(7, "B002")
    bus.feed(rating(7, 0))
    [result] = sessions.results
    assert (result.level, result.raw, result.mapped_from_4key) == (2, 0, True)


def test_ask_while_offline_opens_no_session(sessions, fake_link):
    fake_link.status = DeviceStatus.OFFLINE
    with pytest.raises(DeviceOffline):
        sessions.ask(5, "A001")
    assert sessions.pending() == {}
