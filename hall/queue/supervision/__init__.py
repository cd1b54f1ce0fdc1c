"""督查 (supervision, issue 16): the registers a hall manager keeps, one module per concern.

Tables: hall/queue/core/tables/supervision.py. Routes: hall/queue/web/api/<concern>.py.
"""
