"""config.yaml's ``departments:``: the 进驻部门 of the hall, their matters, windows and 首席代表.

A department owns the matters (catalogue codes) and the windows it answers for. Its
chief is its 首席代表 ("指定首席代表并签订授权委托书"), an optional deputy stands in for
the chief, and its members are the clerks who work its cases. The seeds give the two
powers: "即办件授予即办权" — any member accepts and finishes; "退办件授予把关权" — only
the chief or the deputy extends (延期) or refuses (退件): :meth:`DepartmentLookup.may_gatekeep`.

Decisions:

- the chief and the deputy are members implicitly (``members`` need not repeat them);
- a window, a matter and a staff member each belong to at most one department, so
  ``department_of_*`` has one answer; windows and matters of no department (the 综合受理
  windows of 一窗受理, matters no department claims) keep working as before;
- matter codes are checked against the catalogue at the daemon's start
  (:func:`unknown_matters`), as the catalogue is a file of its own;
- ``department_of_staff`` is a clerk's own department; a B岗 clerk may also sign in
  at windows of another department (demo: S011 of bdc covers windows 6-7 of scjg),
  where ``department_of_window`` says whose window it is. Which of the two a session
  acts for is the case register's rule, not the config's.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from hall.config.base import _Section

StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
MatterCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class DepartmentConfig(_Section):
    """进驻部门: the matters and windows it owns, its 首席代表 (chief), deputy and members."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="short code: bdc")
    name_zh: str = Field(min_length=1, description="不动产登记中心")
    name_en: str = Field(min_length=1, description="Real Estate Registration Center")
    matters: list[MatterCode] = Field(
        default_factory=list, description="catalogue matter codes this department handles"
    )
    windows: list[Annotated[int, Field(ge=1, le=999)]] = Field(
        default_factory=list, description="window numbers of this department"
    )
    chief: StaffId = Field(description="首席代表: staff id, 把关权 (延期, 退件)")
    deputy: StaffId | None = Field(None, description="stands in for the chief: 把关权 too")
    members: list[StaffId] = Field(
        default_factory=list, description="staff ids (即办权); chief and deputy are members anyway"
    )

    @property
    def staff(self) -> tuple[str, ...]:
        """Everyone of the department: the chief, the deputy, then the other members."""
        ids = [self.chief] + ([self.deputy] if self.deputy else []) + self.members
        return tuple(dict.fromkeys(ids))

    def gatekeepers(self) -> tuple[str, ...]:
        """Who holds 把关权: the chief and the deputy."""
        return (self.chief, self.deputy) if self.deputy else (self.chief,)


def check_departments(
    departments: list[DepartmentConfig], staff_ids: Collection[str], windows: Collection[int]
) -> None:
    """Raise ValueError ``departments.<i>.<key>: <problem>`` for the first problem found.

    Unknown staff or windows, codes or list entries used twice, a deputy who is the
    chief, and a window, matter or staff member claimed by two departments.
    """
    owner: dict[tuple[str, object], str] = {}
    seen_codes: set[str] = set()
    for i, dept in enumerate(departments):
        where = f"departments.{i}"
        if dept.code in seen_codes:
            raise ValueError(f"{where}.code: {dept.code!r} is used twice")
        seen_codes.add(dept.code)
        if dept.deputy is not None and dept.deputy == dept.chief:
            raise ValueError(f"{where}.deputy: the chief cannot be the deputy too")
        for key in ("matters", "windows", "members"):
            listed: set = set()
            for value in getattr(dept, key):
                if value in listed:
                    raise ValueError(f"{where}.{key}: {value!r} is listed twice")
                listed.add(value)
        people = [("chief", dept.chief)] + ([("deputy", dept.deputy)] if dept.deputy else [])
        people += [("members", s) for s in dept.members]
        for key, staff_id in people:
            if staff_id not in staff_ids:
                raise ValueError(f"{where}.{key}: no staff {staff_id!r}")
        for number in dept.windows:
            if number not in windows:
                raise ValueError(f"{where}.windows: no window {number}")
        claims = [("windows", "window", n) for n in dept.windows]
        claims += [("matters", "matter", code) for code in dept.matters]
        claims += [(key, "staff", s) for key, s in people]
        for key, kind, value in claims:
            other = owner.get((kind, value))
            if other is not None and other != dept.code:
                shown = value if kind == "window" else repr(value)
                verb = "is in" if kind == "staff" else "belongs to"
                raise ValueError(f"{where}.{key}: {kind} {shown} {verb} department {other} too")
            owner[(kind, value)] = dept.code


def unknown_matters(departments: list[DepartmentConfig], known: Collection[str]) -> list[str]:
    """One line per department matter code not in the catalogue (``known``: its codes)."""
    return [
        f"departments.{i}.matters: matter {code!r} is not in the catalogue / 事项清单中没有此事项"
        for i, dept in enumerate(departments)
        for code in dept.matters
        if code not in known
    ]


class DepartmentLookup:
    """HallConfig's department helpers (a part of it: ``self.departments`` is its field)."""

    if TYPE_CHECKING:
        departments: list[DepartmentConfig]

    def department(self, code: str) -> DepartmentConfig | None:
        """The department with this code, or None."""
        return next((d for d in self.departments if d.code == code), None)

    def department_of_window(self, number: int) -> DepartmentConfig | None:
        """The department owning window ``number``, or None (a 综合受理 window)."""
        return next((d for d in self.departments if number in d.windows), None)

    def department_of_matter(self, code: str) -> DepartmentConfig | None:
        """The department owning matter ``code`` of the catalogue, or None."""
        return next((d for d in self.departments if code in d.matters), None)

    def department_of_staff(self, staff_id: str) -> DepartmentConfig | None:
        """The department ``staff_id`` belongs to (chief, deputy or member), or None."""
        return next((d for d in self.departments if staff_id in d.staff), None)

    def departments_of_session(self, staff_id: str, window: int) -> list[DepartmentConfig]:
        """The departments whose cases a clerk signed in at ``window`` works, window's first.

        The window's department, then the clerk's own: a B岗 clerk covering another
        department's window works for both (the case register's rule, issue 15).
        """
        found = [self.department_of_window(window), self.department_of_staff(staff_id)]
        return list({d.code: d for d in found if d is not None}.values())

    def may_gatekeep(self, staff_id: str, dept: str | DepartmentConfig) -> bool:
        """把关权 (延期, 退件): True for the chief or the deputy of ``dept`` (code or config)."""
        found = self.department(dept) if isinstance(dept, str) else dept
        return found is not None and staff_id in found.gatekeepers()
