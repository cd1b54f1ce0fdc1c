"""config.yaml's ``managers:``: the hall managers who sign in to the manager page.

A manager is a person with an id and a PIN (``POST /api/v1/manager/login``),
not the shared ``api.tokens`` manager token, which stays only as a bootstrap
(docs/SECURITY.md, "Manager accounts"). A list of its own rather than a flag on
``staff:``: a staff entry is someone who opens windows (windows, AB岗, 签到 and
attendance), a manager is not, and one mistyped flag must not turn a clerk into
a manager. The same person may have both, with the same or different ids: the
sign-in failures of the two accounts are counted apart (``manager:<id>``).
"""

from __future__ import annotations

from pydantic import Field

from hall.config.base import _Section

#: The demo manager's PIN in config.yaml (6 digits, like every new PIN); the daemon
#: warns at start while a manager still has it.
DEMO_MANAGER_PIN = "135790"
#: How a manager's id is told apart from a staff id where both are counted or recorded
#: (sign-in failures, locks, records): staff ids never contain ":".
MANAGER_PREFIX = "manager:"


class ManagerConfig(_Section):
    """A hall manager who signs in with id + PIN (role ``manager``)."""

    # 24 characters: with the "manager:" prefix it fits where a staff id does (32).
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")
    name: str = Field(min_length=1, max_length=32)
    pin_hash: str = Field(pattern=r"^scrypt\$", description="from `python -m hall.queue hash-pin`")
