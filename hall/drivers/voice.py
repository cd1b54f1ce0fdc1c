"""Offline voice announcements (语音播报) through espeak-ng (DEVICES.md 4).

:func:`announcement_text` turns a call into the sentence to speak; :class:`Voice`
queues announcements and plays them one after another on a single worker
thread, each in full (never cut off) and repeated ``repeat`` times.

Each announcement is rendered to one WAV file (the repeats joined with a short
silence), kept in ``output_dir`` when one is set (for tests, and for halls that
play through another system), and played with ``aplay`` (or paplay / sox
``play``) when ``play`` is on. A missing sound device or player is logged and
counted and sets the status to error; it never stops the queue.

Voice: ``cmn-latn-pinyin``. The plain ``cmn`` voice reads many characters with
English rules ("请" as "kI55NTr'i:55"); ``cmn-latn-pinyin`` reads the whole
sentence as Mandarin, and reads the letter A as "ei".
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import tempfile
import threading
import wave
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from hall.drivers.status import DeviceStatus

log = logging.getLogger(__name__)

DIGITS = "零一二三四五六七八九"
#: Players tried in order when none is configured: (command, arguments before the file).
PLAYERS = (("aplay", "-q"), ("paplay",), ("play", "-q"))


def digits_text(number: str) -> str:
    """Read a ticket number digit by digit: ``"A001"`` → ``"A零零一"`` (letters kept)."""
    return "".join(DIGITS[int(c)] if c in "0123456789" else c for c in number)


def chinese_number(n: int) -> str:
    """Read 0..9999 as a Chinese number: 3 → 三, 10 → 十, 12 → 十二, 105 → 一百零五."""
    if not 0 <= n <= 9999:
        raise ValueError(f"window number out of range: {n}")
    if n == 0:
        return DIGITS[0]
    out, zero = [], False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit_value % 10
        if d == 0:
            zero = bool(out)  # a zero between digits is read once: 1005 一千零五
            continue
        if zero:
            out.append(DIGITS[0])
            zero = False
        # 10..19 are read 十, 十一 ... not 一十一 when they stand alone.
        if not (unit == "十" and d == 1 and not out):
            out.append(DIGITS[d])
        out.append(unit)
    return "".join(out)


def announcement_text(number: str, window: int | str) -> str:
    """The sentence for a call: ``("A001", 3)`` → ``"请A零零一号到三号窗口办理"``.

    A numeric window is read as a number (12 → 十二); any other window name
    is read digit by digit, letters kept.
    """
    w = str(window).strip()
    spoken = chinese_number(int(w)) if w.isdigit() else digits_text(w)
    return f"请{digits_text(number)}号到{spoken}号窗口办理"


@dataclass
class VoiceSettings:
    """How announcements sound and where they go."""

    voice: str = "cmn-latn-pinyin"
    speed: int = 150  # words per minute (espeak-ng -s; its default is 175)
    pitch: int = 50  # 0..99 (espeak-ng -p)
    amplitude: int = 100  # 0..200 (espeak-ng -a)
    repeat: int = 2  # times each announcement is spoken
    repeat_gap: float = 0.8  # seconds of silence between repeats
    # With this many announcements still waiting, each is spoken once (no
    # repeats) so the voice catches up with the calls; none is dropped or cut.
    backlog_single: int = 3
    output_dir: Path | None = None  # keep one WAV per announcement here
    play: bool = True  # play to the sound device
    player: tuple[str, ...] | None = None  # command before the file; None = first found
    espeak: str = "espeak-ng"


@dataclass
class Announcement:
    """One queued announcement and, once done, what became of it."""

    seq: int
    text: str
    wav: Path | None = None
    duration: float = 0.0  # seconds of audio, repeats included
    played: bool = False
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)


class Voice:
    """A FIFO of announcements spoken by one worker thread."""

    def __init__(self, settings: VoiceSettings | None = None) -> None:
        """Start nothing yet; call :meth:`start`."""
        self.settings = settings or VoiceSettings()
        if self.settings.repeat < 1:
            raise ValueError("repeat must be at least 1")
        self.status = DeviceStatus.STARTING
        self.counters = {
            "queued": 0,
            "rendered": 0,
            "played": 0,
            "errors": 0,
            "dropped": 0,
            "shortened": 0,
        }
        # The latest announcements, in order of completion (bounded: the hall runs all night).
        self.completed: deque[Announcement] = deque(maxlen=500)
        self._queue: queue.Queue[Announcement | None] = queue.Queue()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._outstanding = 0
        self._seq = 0
        self._thread: threading.Thread | None = None

    def start(self) -> Voice:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
            self._thread.start()
            self.status = DeviceStatus.OK
        return self

    def close(self, timeout: float = 30.0) -> None:
        """Finish the announcement being spoken, drop the rest, stop the worker."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self._finish(item, error="dropped at shutdown", counter="dropped")
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> Voice:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def announce(self, number: str, window: int | str) -> Announcement:
        """Queue the call of ``number`` to ``window``."""
        return self.say(announcement_text(number, window))

    def say(self, text: str) -> Announcement:
        """Queue any sentence; returns at once."""
        with self._lock:
            self._seq += 1
            item = Announcement(self._seq, text)
            self._outstanding += 1
            self.counters["queued"] += 1
        self._queue.put(item)
        return item

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued announcement is done."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0, timeout)

    def _finish(self, item: Announcement, error: str | None = None, counter: str = "") -> None:
        with self._idle:
            item.error = error
            if counter:
                self.counters[counter] += 1
            self.completed.append(item)
            self._outstanding -= 1
            item.done.set()
            self._idle.notify_all()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            with tempfile.TemporaryDirectory(prefix="hall-voice-") as tmp:
                error = self._speak(item, Path(tmp))
            self._finish(item, error, "errors" if error else "")

    def _speak(self, item: Announcement, tmp: Path) -> str | None:
        s = self.settings
        one = tmp / "one.wav"
        # -b 1: the text argument is UTF-8 whatever the locale.
        cmd = [s.espeak, "-b", "1", "-v", s.voice, "-s", str(s.speed), "-p", str(s.pitch)]
        cmd += ["-a", str(s.amplitude), "-w", str(one), "--", item.text]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            return self._fail(f"espeak-ng failed: {exc}")
        out_dir = Path(s.output_dir) if s.output_dir else tmp
        out_dir.mkdir(parents=True, exist_ok=True)
        wav_path = out_dir / f"{item.seq:06d}.wav"
        try:
            repeat = s.repeat
            if repeat > 1 and self._queue.qsize() >= s.backlog_single:
                repeat = 1
                with self._lock:
                    self.counters["shortened"] += 1
            item.duration = _repeat_wav(one, wav_path, repeat, s.repeat_gap)
        except (OSError, wave.Error, EOFError) as exc:
            return self._fail(f"bad WAV from espeak-ng: {exc}")
        item.wav = wav_path if s.output_dir else None
        with self._lock:
            self.counters["rendered"] += 1
        if s.play:
            return self._play(item, wav_path)
        self.status = DeviceStatus.OK
        return None

    def _play(self, item: Announcement, wav_path: Path) -> str | None:
        player = self.settings.player or next((p for p in PLAYERS if shutil.which(p[0])), None)
        if player is None:
            return self._fail("no audio player (aplay, paplay, play) found")
        try:
            # Wait for the end: an announcement is never cut off by the next.
            subprocess.run(
                [*player, str(wav_path)],
                check=True,
                capture_output=True,
                timeout=item.duration + 30,
            )
        except subprocess.CalledProcessError as exc:
            lines = exc.stderr.decode(errors="replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit {exc.returncode}"
            return self._fail(f"playing failed (sound device missing?): {detail}")
        except (OSError, subprocess.SubprocessError) as exc:
            return self._fail(f"playing failed: {exc}")
        item.played = True
        with self._lock:
            self.counters["played"] += 1
            self.status = DeviceStatus.OK
        return None

    def _fail(self, reason: str) -> str:
        log.error("voice: %s", reason)
        self.status = DeviceStatus.ERROR
        return reason


def _repeat_wav(src: Path, dst: Path, repeat: int, gap: float) -> float:
    """Write ``src`` ``repeat`` times to ``dst``; return the duration in seconds.

    ``gap`` seconds of silence separate the repeats.
    """
    with wave.open(str(src), "rb") as r:
        params = r.getparams()
        frames = r.readframes(r.getnframes())
    if not frames:
        raise wave.Error("espeak-ng wrote no audio")
    silence = bytes(int(gap * params.framerate) * params.sampwidth * params.nchannels)
    with wave.open(str(dst), "wb") as w:
        w.setparams(params)
        for i in range(repeat):
            if i:
                w.writeframes(silence)
            w.writeframes(frames)
    nbytes = repeat * len(frames) + (repeat - 1) * len(silence)
    return nbytes / (params.sampwidth * params.nchannels * params.framerate)
