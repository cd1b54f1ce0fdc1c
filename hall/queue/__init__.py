"""The queue daemon (``python -m hall.queue``): one source of truth for a hall.

The rooms, each a package (docs/ARCHITECTURE.md has the whole map and a
ticket's way through them):

* ``core``: the daemon object, the single writer, the schema (its tables by concern), events, the
  operations' context, the schedule, the outbox;
* ``tickets``: issuing, appointments, calling, staff sessions, order, views;
* ``cases``: self-service submissions (办件);
* ``ratings``: ratings, rating keys, the chained ledger, rectification, upstream (好差评);
* ``attendance``: records and reports (考勤);
* ``stats``: figures, the day cache, its warmer, exports (办件统计);
* ``devices``: the hub that wires the drivers to the events, refused tokens and
  refused terminal cases taken up;
* ``web``: the FastAPI app, auth, the API (one module per resource), the pages.

An operation is a function ``op(ctx, tx, ...)`` in its room, run by the
writer; routes and the device hub only build requests and hand operations in.
"""
