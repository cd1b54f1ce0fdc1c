"""What a face decision at a staff window comes to, in one word: no Kivy, no screen.

:mod:`hall.screens.caller.face` runs these on its :class:`FaceWatch` thread
with the camera's frames and shows the word on its screens (:data:`SIGNIN_WHY`,
:data:`ENROL_SAYS`). Each one turns what the face terminal
(:class:`~hall.kiosk.face_checkin.FaceTerminal`) and the daemon raise into the
word a person at the window is told; nothing face-related is logged, only the
kind of trouble.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from hall.kiosk.client import DaemonClient, DaemonError, DaemonUnavailable
from hall.kiosk.face_store import FaceStoreError
from hall.vision.face import FaceError, NoFaceError

if TYPE_CHECKING:
    from hall.kiosk.face_checkin import FaceTerminal

log = logging.getLogger(__name__)

#: What a failed face sign-in says, by the reason a decision came to.
SIGNIN_WHY = {
    "no_match": "face_caller.why_no_match",
    "not_live": "face_caller.why_not_live",
    "no_face": "face_caller.why_no_face",
    "refused": "face_caller.why_refused",
    "unavailable": "face_caller.why_unavailable",
    "terminal": "face_caller.why_terminal",
    "engine": "face_caller.why_engine",
    "camera": "face_caller.why_camera",
}
#: What an enrolment came to, by its result word.
ENROL_SAYS = {
    "enrolled": "face_caller.enrolled",
    "no_face": "face_caller.enrol_no_face",
    "two_faces": "face_caller.enrol_two_faces",
    "camera": "face_caller.enrol_camera",
    "refused": "face_caller.enrol_refused",
    "unavailable": "face_caller.enrol_unavailable",
    "store": "face_caller.enrol_store",
    "engine": "face_caller.enrol_engine",
}


def check_in(
    terminal: FaceTerminal, frames: Iterator[np.ndarray], window: int
) -> tuple[str, dict | None]:
    """The terminal's decision for ``window``, daemon trouble as a reason word.

    ``("checked_in", answer)`` with the daemon's answer (as to /staff/login) on a
    match; otherwise a key of :data:`SIGNIN_WHY` and ``None``.
    """
    try:
        seen = terminal.check_in(frames, window)
    except DaemonUnavailable:
        return "unavailable", None
    except DaemonError as exc:  # the consent list was refused: a terminal token problem
        log.warning("face sign-in: consents not read: %s", exc.code)
        return "terminal", None
    except (FaceError, FaceStoreError) as exc:
        log.error("face sign-in: %s", type(exc).__name__)
        return "engine", None
    return seen.reason, seen.answer


def enrol_staff(
    terminal: FaceTerminal,
    client: DaemonClient,
    frames: Iterator[np.ndarray],
    staff_id: str,
    token: str | None,
    window: int,
) -> tuple[str, DaemonError | None]:
    """Enrol ``staff_id`` with their own ``token``; a key of :data:`ENROL_SAYS` (and a refusal).

    ``client``: the panel's; the enrolment uses a sibling of it (same daemon, same
    certificate check), since the panel's client is used by the bridge's worker thread.
    """
    staff = client.sibling(token)
    limit = terminal.cfg.liveness.max_frames
    last: list[np.ndarray] = []  # the latest frame only, to tell "nobody" from "two people"

    def bounded() -> Iterator[np.ndarray]:
        for frame in islice(frames, limit):
            last[:] = [frame]
            yield frame

    try:
        terminal.enrol_staff(staff, staff_id, bounded())
    except NoFaceError:
        crowded = bool(last) and len(terminal.engine.detect(last[0])) > 1
        return ("two_faces" if crowded else "no_face"), None
    except DaemonUnavailable:
        return "unavailable", None
    except DaemonError as exc:
        return "refused", exc
    except FaceStoreError as exc:
        log.error("face enrolment: template not stored: %s", type(exc).__name__)
        _withdraw_quietly(staff, staff_id)
        return "store", None
    except FaceError as exc:
        log.error("face enrolment: %s", type(exc).__name__)
        return "engine", None
    finally:
        last.clear()
        staff.close()
    log.info("face enrolment at window %d: done", window)
    return "enrolled", None


def _withdraw_quietly(staff: DaemonClient, staff_id: str) -> None:
    # The consent was recorded but no template kept: do not leave a consent for nothing.
    try:
        staff.withdraw_consent(staff_id)
    except DaemonError as exc:
        log.warning("face enrolment: consent not withdrawn after a store error: %s", exc.code)
