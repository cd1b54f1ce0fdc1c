"""Face check-in on a window terminal or kiosk: enrolment, staff check-in, citizens.

Matching happens here, on the device; the daemon only hears "the terminal
matched staff S" (with the terminal's own token) and records attendance. A
decision needs ``face.liveness.frames`` frames of one face that show natural
change (not a photo) and in which the same person matched in more than half
(one frame alone may match the wrong person; see bench/bench_face.py).

The id + PIN check-in and the appointment code / ID number at the kiosk stay
available whatever happens here. Nothing face-related is logged.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from hall.config import FaceSection
from hall.kiosk.client import DaemonClient, DaemonError, TerminalClient
from hall.kiosk.face_store import CitizenFaces, FaceStore
from hall.vision.face import (
    FaceEngine,
    Match,
    enrol,
    identify,
    main_face,
    photo_feature,
    verify,
)
from hall.vision.liveness import LivenessCheck, LivenessResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a face attempt came to; ``reason`` is a stable word for the screen."""

    ok: bool
    reason: str  # checked_in | matched | no_match | not_live | no_face | refused
    subject: str | None = None
    answer: dict | None = None  # the daemon's answer (staff token, window) on check-in
    frames: int = 0
    elapsed_s: float = 0.0
    liveness: LivenessResult | None = None


def watch(
    engine: FaceEngine,
    cfg: FaceSection,
    frames: Iterable[np.ndarray],
    match: Callable[[np.ndarray], Match],
) -> Outcome:
    """Follow frames until one live face matched consistently, or ``max_frames`` pass."""
    started = time.monotonic()
    live = LivenessCheck(cfg.liveness.frames, cfg.liveness.min_change, cfg.liveness.min_hits)
    votes: Counter[str | None] = Counter()
    reason, last = "no_face", None
    n = 0
    for n, frame in enumerate(frames, 1):
        if n > cfg.liveness.max_frames:
            n -= 1
            break
        boxes = engine.detect(frame)
        box = main_face(boxes)
        if box is None:
            if boxes:  # two people at the device: start over
                live.reset()
                votes.clear()
            continue
        votes[match(engine.feature(frame, box)).subject] += 1
        live.add(frame, box)
        if not live.full:
            continue
        last = live.result()
        winner, count = next(((s, c) for s, c in votes.most_common() if s is not None), (None, 0))
        if last.live and winner is not None and count * 2 > live.frames:
            return Outcome(True, "matched", winner, None, n, time.monotonic() - started, last)
        reason = "not_live" if not last.live else "no_match"
        live.reset()
        votes.clear()
    return Outcome(False, reason, None, None, n, time.monotonic() - started, last)


class FaceTerminal:
    """A window terminal: enrols staff faces (with consent) and checks staff in by face."""

    def __init__(
        self,
        name: str,
        cfg: FaceSection,
        engine: FaceEngine,
        store: FaceStore,
        client: TerminalClient,
    ) -> None:
        self.name = name
        self.cfg = cfg
        self.engine = engine
        self.store = store
        self.client = client
        log.info("face terminal %s: engine %s", name, engine.describe())

    def describe(self) -> str:
        """The active engine, for the status line of the panel."""
        return self.engine.describe()

    def enrol_staff(self, staff: DaemonClient, staff_id: str, frames: Iterable[np.ndarray]) -> dict:
        """Enrol the logged-in staff member who accepted the consent text.

        ``staff`` carries that member's own session token (id + PIN first), so
        nobody enrols someone else's face. The consent is recorded by the
        daemon before the template is kept; only the encrypted template stays.
        """
        template = enrol(self.engine, frames, self.cfg.enrol_frames)
        consent = staff.give_consent(staff_id, self.name, self.cfg.consent_version)
        self.store.save(staff_id, template, self.cfg.consent_version)
        return consent

    def sync(self) -> list[str]:
        """Keep only templates whose consent is in force; the staff ids that remain."""
        active = [c["staff_id"] for c in self.client.consents()]
        self.store.retain_only(active)
        return active

    def check_in(self, frames: Iterable[np.ndarray], window: int) -> Outcome:
        """Watch the camera; on a live, consistent match open ``window`` for that person."""
        gallery = self.store.gallery(self.sync())
        if not gallery:
            return Outcome(False, "no_match")
        seen = watch(self.engine, self.cfg, frames, lambda f: identify(self.engine, f, gallery))
        gallery.clear()
        if not seen.ok:
            log.info("face check-in at window %d: %s", window, seen.reason)
            return seen
        try:
            answer = self.client.face_checkin(seen.subject, window, self.engine.name)
        except DaemonError as exc:
            log.info("face check-in at window %d refused: %s", window, exc.code)
            return Outcome(
                False, "refused", seen.subject, None, seen.frames, seen.elapsed_s, seen.liveness
            )
        log.info("face check-in at window %d: window opened", window)
        return Outcome(
            True, "checked_in", seen.subject, answer, seen.frames, seen.elapsed_s, seen.liveness
        )


def appointment_by_face(
    engine: FaceEngine, cfg: FaceSection, citizens: CitizenFaces, frames: Iterable[np.ndarray]
) -> Outcome:
    """Kiosk: which consenting citizen's appointment this live face belongs to.

    On a match the template is destroyed at once (the transaction is the
    check-in); the kiosk then issues the appointment ticket with the code.
    """
    seen = watch(engine, cfg, frames, lambda f: citizens.match(engine, f))
    if seen.ok:
        citizens.destroy(seen.subject)
    return seen


def verify_id_photo(
    engine: FaceEngine, cfg: FaceSection, frames: Iterable[np.ndarray], photo: np.ndarray
) -> tuple[Match, Outcome]:
    """Self-service submission: is the live person the one on the ID card photo (1:1)?

    Nothing is kept: the photo's feature and the live frames live only in this call.
    """
    reference = photo_feature(engine, photo)
    probes: list[np.ndarray] = []

    def collect(feature: np.ndarray) -> Match:
        probes.append(feature)
        return verify(engine, [feature], reference)

    seen = watch(engine, cfg, frames, collect)
    best = verify(engine, probes[-cfg.liveness.frames :], reference).distance
    # Accepted only as watch() accepts: live, and a majority of frames matched.
    return Match("reference" if seen.ok else None, best, seen.ok), seen
