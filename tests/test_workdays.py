"""Working-day calendar: real holiday arrangements, hall overrides, and table errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from hall.workdays import DEFAULT_FOLDER, CalendarError, WorkCalendar

D = dt.date
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def test_shipped_tables_cover_2004_to_2026(cal: WorkCalendar) -> None:
    assert set(range(2004, 2027)) <= cal.years
    assert cal.holiday_name(D(2025, 10, 1)) == "国庆节"
    assert cal.holiday_name(D(2026, 2, 17)) == "春节"
    assert cal.holiday_name(D(2025, 10, 9)) is None


def test_national_day_2025_matches_the_state_council_notice(cal: WorkCalendar) -> None:
    # 2025: 10-01..10-08 off (国庆节 and 中秋节), Sunday 09-28 and Saturday 10-11 worked.
    for day in range(1, 9):
        assert not cal.is_working_day(D(2025, 10, day))
    assert cal.is_working_day(D(2025, 9, 28)) and cal.is_working_day(D(2025, 10, 11))
    assert cal.is_working_day(D(2025, 10, 9)) and not cal.is_working_day(D(2025, 10, 12))


def test_acceptance_before_national_day_2025(cal: WorkCalendar) -> None:
    # 10-09 Thu (1), 10-10 Fri (2), 10-11 make-up Sat (3), 10-13 Mon (4), 10-14 Tue (5).
    assert cal.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert cal.add_working_days(D(2025, 9, 30), 5) == D(2025, 10, 14)
    assert cal.working_days_between(D(2025, 9, 30), D(2025, 10, 14)) == 5


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    # 2026: 02-15..02-23 off; Saturdays 02-14 and 02-28 are make-up working days.
    assert all(not cal.is_working_day(D(2026, 2, d)) for d in range(15, 24))
    assert cal.is_working_day(D(2026, 2, 14)) and cal.is_working_day(D(2026, 2, 28))
    assert cal.add_working_days(D(2026, 2, 12), 3) == D(2026, 2, 24)
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_friday_acceptance_counts_from_monday(cal: WorkCalendar) -> None:
    assert D(2025, 3, 7).isoweekday() == 5
    assert cal.add_working_days(D(2025, 3, 7), 1) == D(2025, 3, 10)
    assert cal.add_working_days(D(2025, 3, 7), 5) == D(2025, 3, 14)
    # A submission on a Saturday (24-hour terminal) also counts from Monday.
    assert cal.add_working_days(D(2025, 3, 8), 1) == D(2025, 3, 10)
    assert cal.next_working_day(D(2025, 3, 8)) == D(2025, 3, 10)
    assert cal.next_working_day(D(2025, 3, 7)) == D(2025, 3, 7)


def test_make_up_saturday_is_counted(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D(2025, 10, 10), 1) == D(2025, 10, 11)
    assert cal.add_working_days(D(2025, 2, 7), 1) == D(2025, 2, 8)


def test_zero_days_and_negative(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D(2025, 10, 3), 0) == D(2025, 10, 3)
    assert cal.working_days_between(D(2025, 10, 3), D(2025, 10, 3)) == 0
    with pytest.raises(ValueError, match="0 or more"):
        cal.add_working_days(D(2025, 10, 3), -1)


@pytest.mark.parametrize("start", [D(2025, 9, 26), D(2025, 12, 31), D(2026, 2, 10), D(2024, 4, 30)])
@pytest.mark.parametrize("n", [1, 2, 7, 15, 30])
def test_between_inverts_add(cal: WorkCalendar, start: dt.date, n: int) -> None:
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    assert cal.working_days_between(end, start) == -n
    assert cal.is_working_day(end)


def test_date_outside_the_tables_is_an_error(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError) as err:
        cal.is_working_day(D(2031, 5, 6))
    message = str(err.value)
    assert message.startswith("no holiday table for 2031: add ")
    assert message.endswith("2031.yaml (python scripts/make_holidays.py)")
    assert "hall/data/holidays/2031.yaml" in message
    # Counting across the last loaded year fails rather than guessing.
    with pytest.raises(CalendarError, match="2027"):
        cal.add_working_days(D(2026, 12, 25), 10)


def test_december_counts_into_the_next_year_monday_to_friday(cal: WorkCalendar) -> None:
    """In December the next year's table is often not yet out: a citizen is not refused."""
    assert 2027 not in cal.years  # when 2027.yaml is added, move this test a year on
    # Within the tables: the same as add_working_days, not provisional.
    assert cal.add_working_days_provisional(D(2026, 9, 30), 5) == (D(2026, 10, 13), False)
    assert cal.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    # Thu 2026-12-24 + 10: Fri 12-25 (1), Mon-Thu 12-28..31 (2-5), then 2027 counted
    # Monday to Friday: Fri 01-01 (6), Mon-Thu 01-04..07 (7-10).
    assert cal.add_working_days_provisional(D(2026, 12, 24), 10) == (D(2027, 1, 7), True)
    with pytest.raises(CalendarError, match="2027"):
        cal.add_working_days(D(2026, 12, 24), 10)  # the strict count still refuses
    with pytest.raises(CalendarError, match="2028"):  # a year beyond the next: a wrong clock
        cal.add_working_days_provisional(D(2026, 12, 1), 300)


def test_hall_overrides(cal: WorkCalendar) -> None:
    local = WorkCalendar.load(
        open_dates=[D(2025, 10, 8)], closed_dates=[D(2025, 10, 9), D(2025, 10, 11)]
    )
    assert local.is_working_day(D(2025, 10, 8)) and not local.is_working_day(D(2025, 10, 9))
    assert not local.is_working_day(D(2025, 10, 11))  # the hall's closure beats a make-up day
    assert local.holiday_name(D(2025, 10, 9)) == "本厅闭厅"
    assert local.add_working_days(D(2025, 9, 30), 2) == D(2025, 10, 10)
    assert cal.is_working_day(D(2025, 10, 9))  # the shared calendar is untouched
    with pytest.raises(CalendarError, match="both closed and open: 2025-10-09"):
        WorkCalendar.load(open_dates=[D(2025, 10, 9)], closed_dates=[D(2025, 10, 9)])


GOOD = """year: 2030
holidays:
  - {date: 2030-10-01, name: 国庆节}
  - {date: 2030-10-05, name: 国庆节}
make_up_days:
  - {date: 2030-09-29, name: 国庆节}
"""


def _table(tmp_path: Path, text: str, name: str = "2030.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_hand_written_table_loads(tmp_path: Path) -> None:
    cal = WorkCalendar.load(_table(tmp_path, GOOD))
    assert cal.years == {2030}
    assert not cal.is_working_day(D(2030, 10, 1)) and cal.is_working_day(D(2030, 9, 29))


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        (
            GOOD.replace("2030-10-01", "2029-10-01"),
            "2030.yaml",
            "holidays[0] (2029-10-01 国庆节): date is not in 2030",
        ),
        (
            GOOD.replace("2030-09-29", "2030-10-05"),
            "2030.yaml",
            "make_up_days[0] (2030-10-05 国庆节): date is both a holiday and a make-up day",
        ),
        (
            GOOD.replace("2030-09-29", "2030-09-30"),
            "2030.yaml",
            "make_up_days[0] (2030-09-30 国庆节): a make-up working day must be a Saturday or Sunday",
        ),
        (
            GOOD.replace("2030-10-01", "2030-10-32"),
            "2030.yaml",
            "holidays[0].date (2030-10-32 国庆节): Input should be a valid date",
        ),
        (
            GOOD.replace("name: 国庆节}", "name: 国庆节, nmae_en: x}", 1),
            "2030.yaml",
            "holidays[0].nmae_en (2030-10-01 国庆节): Extra inputs are not permitted",
        ),
        (
            GOOD.replace("name: 国庆节}", "name: ''}", 1),
            "2030.yaml",
            "holidays[0].name (2030-10-01): String should have at least 1 character",
        ),
        (
            GOOD.replace("year: 2030", "year: 2031"),
            "2030.yaml",
            "year: 2031 does not match the file name",
        ),
        (GOOD, "holidays.yaml", "must be named <year>.yaml"),
        ("year: 2030\nholidays: [\n", "2030.yaml", "cannot read holiday table"),
        ("- 2030-10-01\n", "2030.yaml", "expected a mapping"),
    ],
)
def test_malformed_table_names_file_and_entry(
    tmp_path: Path, text: str, name: str, expected: str
) -> None:
    with pytest.raises(CalendarError) as err:
        WorkCalendar.load(_table(tmp_path, text, name))
    assert name in str(err.value)
    assert expected in str(err.value)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="no holiday tables in .*make_holidays.py"):
        WorkCalendar.load(tmp_path)


def test_shipped_tables_match_the_generator() -> None:
    pytest.importorskip("chinese_calendar")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_holidays.py"),
            "--check",
            "--out",
            str(DEFAULT_FOLDER),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
