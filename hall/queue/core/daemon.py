"""The queue daemon's core object: store, writer, event bus and housekeeping.

The HTTP API, device drivers and tools all go through :class:`HallDaemon`;
nothing else touches the database. (A "service" in hall is a hall service, 业务:
the daemon object is never called one.)
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, delete, func, insert, select, update

from hall.config import HallConfig
from hall.queue.cases import retention, sealed, submissions
from hall.queue.core import rows
from hall.queue.core.context import Context
from hall.queue.core.domain import TicketStatus, WindowState
from hall.queue.core.events import EventBus, oldest_id, stored_after
from hall.queue.core.outbox import Forwarder
from hall.queue.core.schema import Checkpointer, open_engine, sqlite_url
from hall.queue.core.tables.cases import submissions_table
from hall.queue.core.tables.daemon import events_table, meta_table
from hall.queue.core.tables.tickets import tickets_table, windows_table
from hall.queue.core.writer import Tx, Writer
from hall.queue.devices.hub import DeviceHub
from hall.queue.ratings import upstream
from hall.queue.stats.warmer import StatsWarmer
from hall.queue.tickets import appointments, badges, calling, issuing, views
from hall.secrets.keyring import KeyFileError, Keyring, key_file_path

log = logging.getLogger(__name__)

EVENT_RETENTION_S = 7 * 86400
# Cases finished per window on a business day (the caller panel's count).
_DONE_TODAY = (
    select(tickets_table.c.window, func.count())
    .where(tickets_table.c.day == bindparam("day"), tickets_table.c.status == TicketStatus.FINISHED)
    .group_by(tickets_table.c.window)
)


class HallDaemon:
    """Owns the store and the writer thread; see the package docstring."""

    def __init__(
        self,
        config: HallConfig,
        data_dir: str | None = None,
        clock: Callable[[], float] = time.time,
        device_ports: dict[str, str] | None = None,
        catalogue: Any = None,
    ) -> None:
        self.config = config
        self.device_ports = device_ports or {}
        self.hub: DeviceHub | None = None
        self.forwarders: dict[str, Forwarder] = {}
        self.warmer: StatsWarmer | None = None
        self.catalogue = catalogue  # hall.catalogue.Catalogue; None = not checked
        self.clock = clock
        self.data_dir = data_dir or config.storage.data_dir
        self.url = config.storage.url or sqlite_url(self.data_dir)
        self.submissions_dir = Path(self.data_dir) / "submissions"
        self.key_file = key_file_path(config, self.data_dir)
        self.keyring: Keyring | None = None
        self._retired_at = 0.0  # when the retention last ran (daemon clock)
        self.engine = open_engine(self.url)
        # Long reads (statistics) use autocommit connections of their own: the
        # main engine begins every transaction with BEGIN IMMEDIATE (the write
        # lock), which would hold up the writer for the whole read.
        self.read_engine = create_engine(self.url).execution_options(isolation_level="AUTOCOMMIT")
        self.checkpointer = Checkpointer(self.engine)
        self.bus: EventBus | None = None
        self.writer: Writer | None = None
        self.ctx: Context | None = None
        self.started_at = time.time()
        self.photos: dict[str, badges.Photo] = {}  # staff id -> photo (亮证上岗), read at start

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the writer and bring the windows table in line with the config."""
        self.bus = EventBus(loop)
        self.writer = Writer(self.engine, self.bus.publish, clock=self.clock)
        self.writer.start()
        self.checkpointer.start()
        self.writer.call(self._prepare)
        self.keyring = self.writer.call(self._open_keyring)
        self.ctx = Context.open(
            self.config, self.keyring.current("fingerprint").secret, keyring=self.keyring
        )
        self.writer.call(self._expire_old_days)
        self._seal_at_rest()
        self.photos = badges.load_photos(self.config, self.data_dir)
        self.hub = DeviceHub(self, self.device_ports)
        self.hub.start()
        endpoint = self.config.upstream.submissions
        if endpoint is not None:
            self.forwarders[submissions.UPSTREAM] = Forwarder(
                self.writer, submissions.UPSTREAM, endpoint, self._submission_payload
            ).start()
        self.warmer = StatsWarmer(self).start()
        ratings_forwarder = upstream.start(self)
        if ratings_forwarder is not None:
            self.forwarders[upstream.ratings.UPSTREAM] = ratings_forwarder

    def stop(self) -> None:
        """Stop the writer (finishing queued operations) and close the store."""
        for forwarder in self.forwarders.values():
            forwarder.stop()
        if self.warmer:
            self.warmer.stop()
        if self.hub:
            self.hub.stop()
        if self.writer:
            self.writer.stop()
        self.checkpointer.stop()
        self.engine.dispose()
        self.read_engine.dispose()

    def _prepare(self, tx: Tx) -> None:
        known = {r.number for r in tx.conn.execute(select(windows_table.c.number))}
        for w in self.config.windows:
            if w.number not in known:
                tx.conn.execute(
                    insert(windows_table).values(
                        number=w.number,
                        state=WindowState.CLOSED,
                        priority_streak=0,
                        updated_at=tx.now,
                    )
                )

    def _open_keyring(self, tx: Tx) -> Keyring:
        """The key file; an ID fingerprint key older versions kept in ``meta`` moves into it.

        The key is written to the file (fsynced) before it leaves the database,
        so a crash in between finds it in both and the next start finishes the move.
        """
        old = tx.conn.execute(
            select(meta_table.c.value).where(meta_table.c.key == "id_key")
        ).scalar()
        imported = {"fingerprint": bytes.fromhex(old)} if old else None
        ring = Keyring.open(self.key_file, imported)
        if old is not None:
            if ring.current("fingerprint").secret != bytes.fromhex(old):
                raise KeyFileError(
                    f"key file {self.key_file} and the database hold different ID fingerprint"
                    " keys: is this the key file of another hall?"
                )
            tx.conn.execute(delete(meta_table).where(meta_table.c.key == "id_key"))
            log.warning("ID fingerprint key moved from the database to %s", self.key_file)
        return ring

    def _expire_old_days(self, tx: Tx) -> int:
        """Waiting tickets of an earlier day cancelled; old events and expired check-in data deleted."""
        today = self.ctx.day(tx.now)
        stale = (
            tx.conn.execute(
                select(tickets_table.c.id).where(
                    tickets_table.c.day < today, tickets_table.c.status == TicketStatus.WAITING
                )
            )
            .scalars()
            .all()
        )
        if stale:
            tx.conn.execute(
                update(tickets_table)
                .where(tickets_table.c.id.in_(stale))
                .values(status=TicketStatus.CANCELLED, updated_at=tx.now)
            )
            tx.emit("queue.reset", {"day": today, "cancelled": len(stale)})
        tx.conn.execute(delete(events_table).where(events_table.c.ts < tx.now - EVENT_RETENTION_S))
        # Booked ID fingerprints and face templates whose slot has passed, even in a quiet hall.
        appointments.purge_expired(self.ctx, tx)
        return len(stale)

    def _seal_at_rest(self) -> None:
        """Seal what an older version stored in plain (once), then apply the retention."""
        self.submissions_dir.mkdir(mode=sealed.PRIVATE_DIR, exist_ok=True)
        self.submissions_dir.chmod(sealed.PRIVATE_DIR)  # an older version made it 0755
        ring = self.keyring
        self.writer.call(lambda tx: retention.seal_plain_cases(tx, ring, self.submissions_dir), 600)
        retention.remove_plain_images(self.submissions_dir)  # only after the sealing committed
        self.writer.call(self._retire_closed_cases)

    def _retire_closed_cases(self, tx: Tx) -> int:
        """The retention of closed cases' personal data (hall/queue/cases/retention.py)."""
        self._retired_at = tx.now
        days = self.config.submissions.retention_days
        return retention.purge_closed(tx, self.submissions_dir, days)

    async def run(self, op: Callable[[Tx], Any]) -> Any:
        """Run an operation on the writer and await its committed result."""
        return await asyncio.wrap_future(self.writer.submit(op))

    async def housekeeping(self, every_s: float = 60.0) -> None:
        """Periodic work: see :meth:`_expire_old_days`; the retention once a day."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.run(self._expire_old_days)
                if self.clock() - self._retired_at >= retention.DAY_S:
                    await self.run(self._retire_closed_cases)
            except Exception:  # keep the daemon alive; retried next round
                log.exception("housekeeping failed")

    def _submission_payload(self, sid: str) -> dict[str, Any]:
        """What the upstream platform gets for a case: its record and the material images."""

        def op(tx: Tx) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            row = tx.conn.execute(
                select(submissions_table).where(submissions_table.c.id == sid)
            ).one()
            today = self.ctx.schedule.local(dt.datetime.fromtimestamp(tx.now, dt.UTC)).date()
            return submissions.detail(tx, row, today, ring), json.loads(row.materials)

        ring = self.keyring
        try:
            record, files = self.writer.call(op)
        except sealed.UnreadableCase as exc:  # kept, and staff see why (Forwarder._send)
            raise OSError(exc.en) from exc
        record["materials"] = [
            {
                **{k: m[k] for k in ("name", "mandatory", "sha256")},
                "jpeg_b64": base64.b64encode(
                    sealed.read_image(ring, self.submissions_dir, m["file"])
                ).decode(),
            }
            for m in files
        ]
        return record

    # Operations used by the API -------------------------------------------------

    async def issue(self, req: issuing.IssueRequest) -> dict[str, Any]:
        """Issue a ticket (取号)."""
        return await self.run(lambda tx: issuing.issue(self.ctx, tx, req))

    async def window_op(self, name: str, actor: calling.Actor, number: int, **kw: Any) -> Any:
        """Run a window operation by name (call_next, recall, finish ...)."""
        fn = getattr(calling, name)
        return await self.run(lambda tx: fn(self.ctx, tx, actor, number, **kw))

    async def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        """A ticket with its current place in line, or None."""

        def op(tx: Tx) -> dict[str, Any] | None:
            row = tx.conn.execute(
                select(tickets_table).where(tickets_table.c.id == ticket_id)
            ).first()
            if row is None:
                return None
            view = views.ticket_view(row)
            if row.status == TicketStatus.WAITING:
                # Not ctx.times: its cache of service times belongs to the writer thread.
                times = views.ServiceTimes(self.config)
                # ahead, est_wait_s, est_wait_range_s
                view.update(views.place(self.config, tx.conn, row, tx.now, self.ctx.grace_s, times))
            return view

        # Phones following their ticket page poll this: a read connection, not the writer.
        return await self.read(op)

    async def read(self, op: Callable[[Tx], Any]) -> Any:
        """Run a read-only operation on an autocommit connection, off the writer and the loop.

        Each statement sees the latest commit (no snapshot across statements): fine for
        what a citizen's phone shows. An operation that emits events is a bug here.
        """

        def run() -> Any:
            with self.read_engine.connect() as conn:
                tx = Tx(conn, self.clock())
                result = op(tx)
            if tx.emitted:
                raise RuntimeError("a read operation emitted events")
            return result

        return await asyncio.to_thread(run)

    async def services(self) -> list[dict[str, Any]]:
        """Every service with waiting count, open windows, estimate and availability."""

        def op(tx: Tx) -> list[dict[str, Any]]:
            day = self.ctx.day(tx.now)
            waiting = views.waiting_counts(tx.conn, day)
            staffed = views.open_windows(tx.conn)
            out = []
            for svc in self.config.services:
                issued = (
                    tx.conn.execute(
                        select(tickets_table.c.seq)
                        .where(
                            tickets_table.c.day == day,
                            tickets_table.c.service == svc.code,
                            tickets_table.c.transferred_from.is_(None),
                        )
                        .order_by(tickets_table.c.seq.desc())
                        .limit(1)
                    ).scalar()
                    or 0
                )
                out.append(self._service_view(tx, svc, waiting, staffed, issued))
            return out

        return await self.run(op)

    def _service_view(self, tx: Tx, svc, waiting, staffed, issued: int) -> dict[str, Any]:
        n_waiting = waiting.get(svc.code, 0)
        serving = self.config.windows_serving(svc.code)
        open_now = [n for n in serving if staffed.get(n) in (WindowState.OPEN, WindowState.SERVING)]
        avail = self.ctx.schedule.availability(svc, dt.datetime.fromtimestamp(tx.now, dt.UTC))
        accepting, code, zh, en = (
            avail.accepting,
            avail.reason_code,
            avail.reason_zh,
            avail.reason_en,
        )
        if accepting and svc.daily_cap is not None and issued >= svc.daily_cap:
            accepting, code = False, "daily_cap_reached"
            zh, en = (
                f"今日号源已满({svc.daily_cap}个)",
                f"Today's {svc.daily_cap} tickets are taken",
            )
        return {
            "code": svc.code,
            "name": {"zh": svc.name_zh, "en": svc.name_en},
            "prefix": svc.prefix,
            "waiting": n_waiting,
            "issued_today": issued,
            "daily_cap": svc.daily_cap,
            "windows": serving,
            "open_windows": open_now,
            "est_wait_s": self.ctx.estimate(tx, svc.code, n_waiting, staffed),
            "accepting": accepting,
            "reason": None if accepting else {"code": code, "zh": zh, "en": en},
            "next_open": avail.next_open.isoformat() if avail.next_open else None,
            "allow_priority": svc.allow_priority,
            "hours": svc.hours,
        }

    def _opening(self, ts: float) -> str | None:
        """The hall's next opening (ISO, local) while it is shut; None while it is open."""
        now = dt.datetime.fromtimestamp(ts, dt.UTC)
        if self.ctx.schedule.is_open(now):
            return None
        nxt = self.ctx.schedule.next_open(now)
        return nxt.isoformat() if nxt else None

    async def windows(self, done_for: set[int] | None = None) -> list[dict[str, Any]]:
        """Every window with its state, area and current ticket (service, kind, called_at).

        ``done_today`` (cases finished at the window this business day) is added
        only for the windows in ``done_for``: it is a figure about the staff at
        the window, not for displays.
        """

        def op(tx: Tx) -> list[dict[str, Any]]:
            found = tx.conn.execute(select(windows_table).order_by(windows_table.c.number))
            out = []
            opening = self._opening(tx.now)
            for r in found:
                cfg = self.config.window(r.number)
                if cfg is None:
                    continue
                view = rows.window_view(tx, r)
                current = rows.ticket_row(tx, r.ticket_id) if r.ticket_id else None
                view.update(
                    name=cfg.name_zh,
                    area=cfg.area,
                    ticket_service=current.service if current else None,
                    ticket_kind=current.kind if current else None,
                    ticket_status=current.status if current else None,
                    called_at=views.iso(current.called_at) if current else None,
                    clerk=badges.public_clerk(self.config, r.staff_id),
                    opens_at=opening if r.state == WindowState.CLOSED else None,
                )
                out.append(view)
            if done_for:
                done = dict(tx.conn.execute(_DONE_TODAY, {"day": self.ctx.day(tx.now)}).all())
                for view in out:
                    if view["number"] in done_for:
                        view["done_today"] = done.get(view["number"], 0)
            return out

        return await self.run(op)

    async def window_queue(self, number: int) -> list[dict[str, Any]]:
        """Waiting tickets for a window, in the order the policy would call them."""

        def op(tx: Tx) -> list[dict[str, Any]]:
            services = self.config.window(number).services
            rank = views.rank_expr(tx.now, self.ctx.grace_s, self.ctx.requeue_behind)
            rows = tx.conn.execute(
                select(tickets_table)
                .where(
                    tickets_table.c.day == self.ctx.day(tx.now),
                    tickets_table.c.status == TicketStatus.WAITING,
                    tickets_table.c.service.in_(services),
                )
                .order_by(rank, tickets_table.c.queue_at)
                .limit(200)
            )
            return [views.ticket_view(r) for r in rows]

        return await self.run(op)

    async def replay(self, after_id: int) -> tuple[list, int | None]:
        """Stored events after an id, and the oldest id still stored."""
        return await self.run(lambda tx: (stored_after(tx.conn, after_id), oldest_id(tx.conn)))
