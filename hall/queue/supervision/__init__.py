"""督查 (supervision, issue 16): the registers and the assessment a hall manager keeps.

One module per concern. Tables: hall/queue/core/tables/supervision.py. Routes:
hall/queue/web/api/<concern>.py.
"""
