"""HTTP routes for self-service submissions (自助申报) and progress lookup (办件查询)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import shutil
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import Field, field_validator

from hall import durable
from hall.idnumber import IdNumberError, validate_id_number
from hall.queue.cases import (
    kiosk_cases,
    personal_data,
    progress_limits,
    register,
    sealed,
    submissions,
)
from hall.queue.core.domain import QueueError, not_found
from hall.queue.ratings import keys
from hall.queue.tickets import sessions
from hall.queue.web.api import cases as cases_api
from hall.queue.web.auth import Principal, manager_actor, require
from hall.queue.web.dates import Day, Moment
from hall.queue.web.deps import Body, Caller, daemon_of
from hall.queue.web.pins import client_address
from hall.secrets.keyring import Keyring

router = APIRouter(prefix="/api/v1", tags=["submissions"])
MAX_IMAGE_BYTES = 8 * 1024 * 1024
#: A form field's name and text value (the catalogue allows at most 2000 characters).
MAX_FORM_KEY, MAX_FORM_TEXT = 64, 2000
SubmissionId = Annotated[str, PathParam(min_length=1, max_length=64)]


class MaterialIn(Body):
    """One captured material: a JPEG of the rectified page."""

    name: str = Field(min_length=1, max_length=64)
    mandatory: bool
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    jpeg_b64: str = Field(min_length=4, max_length=MAX_IMAGE_BYTES * 4 // 3 + 4)


class ApplicantIn(Body):
    """Who applies: the data the platform needs to process the case."""

    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=18, max_length=18)
    phone: str | None = Field(None, max_length=20)


class SubmissionIn(Body):
    """A submission as a terminal sends it (its id is the idempotency key)."""

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    receipt: str = Field(pattern=r"^[A-Z0-9-]{6,32}$")
    terminal: str = Field(min_length=1, max_length=64)
    matter: str = Field(min_length=1, max_length=64)
    submitted_at: Moment
    applicant: ApplicantIn
    form: dict[str, str | int | float | bool | None] = Field(max_length=100)
    materials: list[MaterialIn] = Field(max_length=30)
    missing: list[Annotated[str, Field(max_length=64)]] = Field(max_length=30)
    promised_date: Day | None = None
    identity_check: submissions.IdentityCheck | None = None  # 人证比对; None: not offered
    rating_key: str | None = Field(
        None,
        min_length=22,
        max_length=keys.MAX_KEY_LENGTH,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the rating key the terminal made and printed on the notice (at least "
        "128 random bits, URL-safe); only its digest is kept; none: the case cannot be rated "
        "remotely",
    )

    @field_validator("form")
    @classmethod
    def _form_lengths(cls, form: dict[str, Any]) -> dict[str, Any]:
        for key, value in form.items():
            if not 1 <= len(key) <= MAX_FORM_KEY:
                raise ValueError(f"form field names are 1 to {MAX_FORM_KEY} characters")
            if isinstance(value, str) and len(value) > MAX_FORM_TEXT:
                raise ValueError(f"form.{key}: at most {MAX_FORM_TEXT} characters")
        return form


def case_content(body: SubmissionIn) -> dict[str, Any]:
    """What a retry must repeat exactly: the body without the images (their digests instead)."""
    # The key is no part of the case's content: kept as a digest, never compared.
    content = body.model_dump(mode="json", exclude={"materials", "rating_key"})
    content["materials"] = [m.sha256 for m in body.materials]
    if content["identity_check"] is None:  # a retry stored before the flag existed still matches
        del content["identity_check"]
    return content


class ActionIn(Body):
    """A staff action on a case."""

    note: str = Field("", max_length=500)
    missing: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=30
    )


def _save_materials(
    folder: Path, final: str, materials: list[MaterialIn], ring: Keyring
) -> list[dict[str, Any]]:
    """Decode, check, seal and fsync the images into ``folder`` (a private temporary folder).

    The recorded sha256 stays the plain JPEG's (what the kiosk and the platform compare).
    """
    folder.parent.mkdir(mode=sealed.PRIVATE_DIR, exist_ok=True)
    folder.mkdir(mode=sealed.PRIVATE_DIR, exist_ok=True)  # every material skipped: none
    saved = []
    for i, m in enumerate(materials):
        try:
            data = base64.b64decode(m.jpeg_b64, validate=True)
        except binascii.Error:
            raise QueueError(
                422,
                "bad_material",
                f"材料“{m.name}”的图像编码无效",
                f"material {i} ({m.name}): not base64",
            ) from None
        if hashlib.sha256(data).hexdigest() != m.sha256:
            raise QueueError(
                422,
                "bad_material",
                f"材料“{m.name}”的图像已损坏",
                f"material {i} ({m.name}): sha256 does not match the image",
            )
        if not data.startswith(b"\xff\xd8"):
            raise QueueError(
                422,
                "bad_material",
                f"材料“{m.name}”不是JPEG图像",
                f"material {i} ({m.name}): not a JPEG",
            )
        name = sealed.image_name(i)
        sealed.write_image(ring, folder, f"{final}/{name}", data)
        saved.append(
            {
                "name": m.name,
                "mandatory": m.mandatory,
                "sha256": m.sha256,
                "file": f"{final}/{name}",
            }
        )
    return saved


def _check_choices(catalogue: Any, matter: str, form: dict[str, Any]) -> None:
    """A choice that needs more fields (邮寄到家 → 邮寄地址) has them, or a 422 naming them."""
    unmet = submissions.unmet_choices(form)
    if not unmet:
        return
    found = catalogue.get(matter) if catalogue is not None else None
    labels = {f.name: (f.label_zh, f.label_en) for f in (found.form if found else [])}
    zh, en = [], []
    for field, value, needed in unmet:
        label_zh, label_en = labels.get(needed, (needed, needed))
        zh.append(f"选择“{value}”时须填写{label_zh}（form.{needed}）")
        en.append(f"form.{needed}: {label_en} is required when {field} is {value!r}")
    raise QueueError(
        422, "field_required", "；".join(zh), "; ".join(en), fields=[u[2] for u in unmet]
    )


@router.post("/submissions", status_code=201)
async def submit(
    request: Request,
    response: Response,
    body: SubmissionIn,
    p: Caller,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> dict[str, Any]:
    """A terminal forwards a stored submission; repeats answer 200 with the same receipt.

    Kiosk tokens only. ``rating_key`` is the key the terminal printed on the
    notice; the answer does not echo it and a repeat does not change it.
    """
    require(p, "kiosk")
    if idempotency_key is not None and idempotency_key != body.id:
        raise QueueError(
            422,
            "bad_idempotency_key",
            "幂等键与申报编号不一致",
            "Idempotency-Key must equal the submission id",
        )
    try:
        validate_id_number(body.applicant.id_number)
    except IdNumberError as exc:
        raise QueueError(422, *exc.api_error("applicant.id_number")) from None
    daemon = daemon_of(request)
    if daemon.catalogue is not None and daemon.catalogue.get(body.matter) is None:
        raise QueueError(
            422,
            "unknown_matter",
            f"事项“{body.matter}”不在事项清单中",
            f"unknown matter {body.matter!r}",
        )
    _check_choices(daemon.catalogue, body.matter, body.form)
    final = daemon.submissions_dir / body.id
    staging = daemon.submissions_dir / f".{body.id}.{uuid.uuid4().hex}"
    ring = daemon.keyring
    saved = await asyncio.to_thread(_save_materials, staging, body.id, body.materials, ring)

    def place_files() -> None:
        # No row points at ``final`` (the row is being created): anything there is
        # left from a crash before an earlier COMMIT.
        shutil.rmtree(final, ignore_errors=True)
        durable.replace(staging, final)

    content = case_content(body)
    item = submissions.Incoming(
        id=body.id,
        receipt=body.receipt,
        terminal=body.terminal,
        matter=body.matter,
        submitted_at=body.submitted_at.timestamp(),
        applicant=body.applicant.model_dump(),
        form=body.form,
        materials=saved,
        missing=list(body.missing),
        promised_date=body.promised_date.isoformat() if body.promised_date else None,
        content_sha=submissions.content_sha(content, daemon.ctx.id_key),
        legacy_sha=submissions.legacy_content_sha(content),
        identity_check=body.identity_check,
        rating_key=body.rating_key,
    )
    forward = daemon.config.upstream.submissions is not None
    opener = kiosk_cases.opener(daemon.ctx, daemon.catalogue, item)  # its register case
    try:
        view, created = await daemon.run(
            lambda tx: submissions.receive(
                tx, item, daemon.ctx.id_key, forward, place_files, ring, opener
            )
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already if it was placed
    if not created:
        response.status_code = 200
    return view


async def _reader(request: Request, p: Principal) -> tuple[str, personal_data.Reader]:
    """The actor for the case's history, and the reader its personal-data reads record."""
    address = client_address(request)
    if p.role == "staff":
        session = await daemon_of(request).run(lambda tx: sessions.staff_session(tx, p.token_hash))
        reader = personal_data.Reader(f"staff:{session.staff_id}", session.window, address)
        return f"staff {session.staff_id}", reader
    require(p)
    return manager_actor(p), personal_data.Reader(manager_actor(p), None, address)


def _shown(
    request: Request, tx: Any, reader: personal_data.Reader, case: dict[str, Any], what: str
) -> dict[str, Any]:
    """A single-case view as ``reader`` may see it, the read recorded in the same transaction."""
    daemon = daemon_of(request)
    full = personal_data.handles(daemon.config, daemon.catalogue, reader.window, case["matter"])
    personal_data.record(tx, reader, case["id"], what, full)
    return personal_data.view(case, full)


def _today(request: Request) -> dt.date:
    daemon = daemon_of(request)
    return daemon.ctx.schedule.local(dt.datetime.fromtimestamp(daemon.clock(), dt.UTC)).date()


@router.get("/submissions")
async def list_submissions(
    request: Request,
    p: Caller,
    status: Annotated[
        Literal["received", "needs_correction", "accepted", "finished", "returned"] | None, Query()
    ] = None,
    matter: Annotated[str | None, Query(max_length=64)] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Cases by status and matter; ``overdue`` counts open cases past their promised date."""
    await _reader(request, p)  # staff and managers; a list holds no personal data
    today = _today(request)
    return await daemon_of(request).run(
        lambda tx: submissions.listing(tx, today, status, matter, overdue, limit)
    )


@router.get("/submissions/{sid}")
async def get_submission(request: Request, sid: SubmissionId, p: Caller) -> dict[str, Any]:
    """One case with form, materials and history (staff and managers; the read is recorded).

    Staff at a window that does not handle the case's matter get the applicant
    masked and no form (hall/queue/cases/personal_data.py).
    """
    _, reader = await _reader(request, p)
    today = _today(request)
    daemon = daemon_of(request)

    def op(tx):
        row = tx.conn.execute(submissions._BY_ID, {"sid": sid}).first()
        if row is None:
            raise not_found("申报件", "submission", code="unknown_submission")
        case = submissions.detail(tx, row, today, daemon.keyring)
        return _shown(request, tx, reader, case, "submission.detail")

    return await daemon.run(op)


@router.post("/submissions/{sid}/{action}")
async def act_on_submission(
    request: Request,
    sid: SubmissionId,
    action: Literal["accept", "return", "supply", "finish", "reject"],
    body: ActionIn,
    p: Caller,
) -> dict[str, Any]:
    """受理 (accept), 退回补正 (return, listing every missing item), 补齐 (supply), 办结, 退回.

    Staff and managers; an alias of ``POST /cases/{receipt}/{action}`` (the register's
    rules: the case's department, 把关权 for reject, whose reason is the note and whose
    basis the matter's legal basis). The answer is the single-case view, shown and
    recorded as ``GET /submissions/{sid}`` is. A submission received before the
    register existed keeps the old rules (no supply).
    """
    actor, reader = await _reader(request, p)
    today = _today(request)
    daemon = daemon_of(request)
    ring, ctx, catalogue = daemon.keyring, daemon.ctx, daemon.catalogue

    def op(tx):
        found = kiosk_cases.case_of_submission(tx, sid)
        if found is None:
            if action == "supply":
                raise not_found("登记的办件", "a register case", code="unknown_case")
            case = submissions.act(tx, sid, action, actor, body.note, body.missing, today, ring)
            return _shown(request, tx, reader, case, f"submission.{action}")
        who = cases_api.who_of(ctx, tx, p)
        matter = catalogue.get(found.matter) if catalogue is not None else None
        values = kiosk_cases.alias_body(action, body.note, list(body.missing), matter)
        if action == "return" and not body.missing:
            raise QueueError(
                422,
                "missing_required",
                "退回补正须一次性列出全部缺少的材料",
                "List every missing item when returning for correction",
            )
        day = ctx.local_date(tx.now)
        register.act(ctx, tx, who, found.receipt, action, values, day, catalogue)
        row = tx.conn.execute(submissions._BY_ID, {"sid": sid}).one()
        case = submissions.detail(tx, row, day, ring)
        return _shown(request, tx, reader, case, f"submission.{action}")

    return await daemon_of(request).run(op)


class ProgressIn(Body):
    """办件查询: a POST body, so the ID number never appears in a URL or access log."""

    receipt: str = Field(min_length=6, max_length=32)
    id_number: str = Field(min_length=18, max_length=18)


@router.post("/progress")
async def progress(request: Request, body: ProgressIn, p: Caller) -> dict[str, Any]:
    """办件查询: receipt number + ID number → status and history."""
    require(p, "kiosk")
    return await lookup_progress(request, body.receipt, body.id_number)


async def lookup_progress(request: Request, receipt: str, id_number: str) -> dict[str, Any]:
    """办件查询 for the kiosk route and the citizen's page (hall/queue/web/pages/citizen/progress.py).

    The same 404 for an unknown receipt and a wrong ID number; the number is
    only compared with the case's keyed fingerprint, never stored or logged.
    Failures are counted per receipt and per client address in the store, and
    a locked one is a 429 with ``Retry-After`` (hall/queue/cases/progress_limits.py).
    """
    daemon = daemon_of(request)
    today = _today(request)
    number = id_number.strip().upper()
    address = client_address(request)
    # A locked receipt or address is refused on a read: a flood of them never queues
    # on the writer, where the lookup itself runs (to count each failure in order).
    refused = await daemon.read(
        lambda tx: progress_limits.refusal(tx, receipt.strip().upper(), address)
    )
    if refused is not None:
        raise refused
    found = await daemon.run(
        lambda tx: progress_limits.lookup(daemon.ctx, tx, receipt, number, address, today)
    )
    if isinstance(found, QueueError):
        raise found
    return found
