"""The store's tables, one module per concern, all on the one :data:`metadata`.

* ``tickets``: tickets, windows, staff sessions at windows, appointments and their
  check-in data, pauses (离岗), 空岗 alerts — the ``tickets`` room's;
* ``daemon``: the event log, the upstream outbox, key/value meta, the statistics
  day cache — the daemon's own bookkeeping;
* ``cases``: self-service submissions (办件) and their history;
* ``ratings``: ratings, the chained ledger, 差评整改 and its steps, rating keys;
* ``attendance``: 考勤 records and face consents;
* ``security``: what guards access, across rooms: failed sign-ins and locks,
  manager sessions, refused tokens, terminal cases taken up, personal-data reads,
  failed 办件查询 lookups and locks;
* ``announcements``: 公示/通报;
* ``supervision``: complaints, 首问 enquiries, 红黄牌 and commendations, 优秀窗口,
  leave with cover, leaders' hall sign-ins, kiosk help requests (issue 16).

Tables are SQLAlchemy Core ``Table`` objects named ``<table>_table``; code imports
them from their module (``from hall.queue.core.tables.tickets import
tickets_table``). hall/queue/core/schema.py keeps the engine: it imports every
module here (``TABLE_MODULES``) so that ``open_engine`` creates every table, and
adds the columns an older store lacks (``ADDED_COLUMNS``).

A new table goes into the module of its concern, appended, with a comment saying
who writes it and why it is a table of its own; a new module is added to
``schema.TABLE_MODULES``. This package imports nothing of hall, so every table
module can import :data:`metadata` from it without a cycle.
"""

from __future__ import annotations

from sqlalchemy import MetaData

#: The one metadata every table is on; ``schema.open_engine`` runs its ``create_all``.
metadata = MetaData()
