"""Voice announcements: the sentence, the ordered queue, repeats, a missing sound device."""

import shutil
import wave

import pytest

from hall.drivers.status import DeviceStatus
from hall.drivers.voice import (
    Voice,
    VoiceSettings,
    announcement_text,
    chinese_number,
    digits_text,
)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


@pytest.mark.parametrize(
    "number,window,text",
    [
        ("A001", 3, "请A零零一号到三号窗口办理"),
        ("B120", 12, "请B一二零号到十二号窗口办理"),
        ("C7", "10", "请C七号到十号窗口办理"),
        ("D999", 20, "请D九九九号到二十号窗口办理"),
        ("E0", 105, "请E零号到一百零五号窗口办理"),
        ("F01", "A3", "请F零一号到A三号窗口办理"),
    ],
)
def test_announcement_text(number, window, text):
    assert announcement_text(number, window) == text


@pytest.mark.parametrize(
    "n,text",
    [(0, "零"), (2, "二"), (10, "十"), (11, "十一"), (21, "二十一"), (100, "一百"),
     (110, "一百一十"), (1005, "一千零五"), (2030, "二千零三十")],
)  # fmt: skip
def test_chinese_number(n, text):
    assert chinese_number(n) == text


def test_digits_and_range():
    assert digits_text("A0123456789") == "A零一二三四五六七八九"
    with pytest.raises(ValueError):
        chinese_number(10000)


def _frames(path):
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.getnframes(), w.getframerate()


@needs_espeak
def test_three_announcements_rendered_in_order(tmp_path):
    settings = VoiceSettings(output_dir=tmp_path, play=False, repeat=1)
    with Voice(settings) as voice:
        items = [voice.announce("A001", 3), voice.announce("A002", 12), voice.announce("B003", 5)]
        assert voice.wait_idle(60)
    assert [a.seq for a in voice.completed] == [1, 2, 3]
    assert [a.text for a in voice.completed] == [a.text for a in items]
    for item in items:
        assert item.error is None and item.wav == tmp_path / f"{item.seq:06d}.wav"
        nframes, rate = _frames(item.wav)
        # About 12 syllables at 150 words a minute: a few seconds.
        assert 1.0 < nframes / rate < 10.0
        assert item.duration == pytest.approx(nframes / rate)
    mtimes = [i.wav.stat().st_mtime_ns for i in items]
    assert mtimes == sorted(mtimes)
    assert voice.counters["rendered"] == 3 and voice.status == DeviceStatus.OK


@needs_espeak
def test_repeat_count_honoured(tmp_path):
    durations = {}
    for repeat in (1, 3):
        settings = VoiceSettings(
            output_dir=tmp_path / str(repeat), play=False, repeat=repeat, repeat_gap=0.5
        )
        with Voice(settings) as voice:
            item = voice.announce("A001", 3)
            assert voice.wait_idle(60)
        nframes, rate = _frames(item.wav)
        durations[repeat] = (nframes, rate)
    (one, rate), (three, _) = durations[1], durations[3]
    assert three == 3 * one + 2 * int(0.5 * rate)


@needs_espeak
def test_a_backlog_is_spoken_once_each_and_nothing_is_dropped(tmp_path):
    settings = VoiceSettings(output_dir=tmp_path, play=False, repeat=2, backlog_single=2)
    voice = Voice(settings)
    items = [voice.announce(f"A00{n}", 1) for n in range(1, 5)]  # queued before the worker runs
    with voice:
        assert voice.wait_idle(60)
    frames = [_frames(item.wav)[0] for item in items]
    # Three or more waiting: once each; the last ones (backlog gone) get their repeat.
    assert frames[0] < frames[3] and frames[1] < frames[3]
    assert voice.counters["shortened"] == 2 and voice.counters["rendered"] == 4


@needs_espeak
def test_played_in_order_and_never_overlapping(tmp_path):
    log = tmp_path / "played.log"
    # A fake player that takes a while: a start and an end line for every file.
    script = f'echo "start $1" >> {log}; sleep 0.2; echo "end $1" >> {log}'
    settings = VoiceSettings(play=True, repeat=1, player=("sh", "-c", script, "player"))
    with Voice(settings) as voice:
        for n in ("A001", "A002", "A003"):
            voice.announce(n, 1)
        assert voice.wait_idle(60)
    lines = log.read_text().split()
    names = [lines[i + 1].rsplit("/", 1)[1] for i in range(0, len(lines), 2)]
    assert lines[0::2] == ["start", "end"] * 3
    assert names == ["000001.wav"] * 2 + ["000002.wav"] * 2 + ["000003.wav"] * 2
    assert voice.counters["played"] == 3 and all(a.played for a in voice.completed)


@needs_espeak
@pytest.mark.parametrize("player", [("/nonexistent/aplay",), ("false",)])
def test_missing_sound_device_is_counted_not_fatal(tmp_path, player):
    settings = VoiceSettings(output_dir=tmp_path, play=True, repeat=1, player=player)
    with Voice(settings) as voice:
        voice.announce("A001", 3)
        voice.announce("A002", 4)
        assert voice.wait_idle(60)
        assert voice.status == DeviceStatus.ERROR
    assert voice.counters["errors"] == 2 and voice.counters["rendered"] == 2
    assert all("playing failed" in a.error for a in voice.completed)
    assert len(list(tmp_path.glob("*.wav"))) == 2


def test_missing_espeak_is_an_error_not_a_crash(tmp_path):
    settings = VoiceSettings(output_dir=tmp_path, play=False, espeak="/nonexistent/espeak-ng")
    with Voice(settings) as voice:
        item = voice.announce("A001", 3)
        assert voice.wait_idle(10)
    assert "espeak-ng failed" in item.error and voice.status == DeviceStatus.ERROR


def test_repeat_must_be_positive():
    with pytest.raises(ValueError):
        Voice(VoiceSettings(repeat=0))
