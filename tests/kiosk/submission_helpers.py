"""Helpers for submission tests: drafts with real JPEG images, a crash-test writer."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from hall.kiosk.client import DaemonClient
from hall.kiosk.outbox import Draft, Material, TerminalOutbox
from tests.support import make_id

ID_NUMBER = make_id("32010219850612003")


def jpeg(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A small real JPEG, different for each seed."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(20):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        img.paste((rng.randrange(256),) * 3, (x, y, min(size[0], x + 40), min(size[1], y + 20)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def draft(
    seed: int = 1,
    matter: str = "SJ-DJ-001",
    missing: list[str] | None = None,
    images: int = 2,
) -> Draft:
    """A realistic draft: applicant, a form and ``images`` captured materials."""
    return Draft(
        matter=matter,
        applicant={"name": "王小明", "id_number": ID_NUMBER, "phone": "13912345678"},
        form={"company_name": f"示范科技有限公司{seed}", "capital": 100},
        materials=[Material(f"材料{i + 1}", True, jpeg(seed * 10 + i)) for i in range(images)],
        missing=missing or [],
    )


def wire(
    seed: int,
    matter: str = "SJ-DJ-001",
    promised: str | None = None,
    missing: list[str] | None = None,
) -> dict:
    """A submission exactly as a terminal sends it to the daemon."""
    import base64
    import hashlib
    import uuid

    images = [jpeg(seed * 10 + i) for i in range(2)]
    return {
        "id": uuid.UUID(int=seed + 1).hex,
        "receipt": f"ZZ0920261122{seed:04d}",
        "terminal": "自助机9",
        "matter": matter,
        "submitted_at": "2026-11-22T21:30:00+08:00",
        "applicant": {"name": "王小明", "id_number": ID_NUMBER, "phone": "13912345678"},
        "form": {"company_name": f"示范科技有限公司{seed}"},
        "materials": [
            {
                "name": f"材料{i + 1}",
                "mandatory": True,
                "sha256": hashlib.sha256(img).hexdigest(),
                "jpeg_b64": base64.b64encode(img).decode(),
            }
            for i, img in enumerate(images)
        ],
        "missing": missing or [],
        "promised_date": promised,
    }


def fill_case(flow, matter, id_number: str) -> None:  # flow: SubmissionFlow, matter: Matter
    """A complete 居民户口簿补领 (GA-HZ-001) case typed straight into a kiosk's flow.

    For tests of what comes after the form; the taps themselves are covered by
    tests/screens/kiosk/submit/test_submit.py.
    """
    flow.start(matter)
    for key in id_number:
        flow.id_entry.press(key)
    for key in "13912345678":
        flow.phone_entry.press(key)
    flow.name = "王小明"
    flow.values = {"householder_name": "王大明", "address": "人民路1号", "reason": "遗失"}
    for material in flow.camera_materials():
        flow.accept(material.name, jpeg(9))


@contextmanager
def kiosk_outbox(base: str, folder: Path, name: str, code: str) -> Iterator[TerminalOutbox]:
    """A started terminal outbox forwarding to the daemon at ``base``, retrying fast.

    Stopped, and its client closed, when the block ends (after the kiosk using it).
    """
    client = DaemonClient(base, "kiosk-token-1", timeout=2.0)
    outbox = TerminalOutbox(
        folder, name, code, client, retry_initial_s=0.1, retry_max_s=0.5
    ).start()
    try:
        yield outbox
    finally:
        outbox.stop()
        client.close()
