"""The test hall: its config, its staff PIN, its clock, and ID numbers to use in it."""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from hall.config import hash_pin

ROOT = Path(__file__).resolve().parents[2]
PIN = "2468"
_PIN_HASH = hash_pin(PIN)
TZ = ZoneInfo("Asia/Shanghai")

# The tests' clock starts here when the session starts and runs at the normal pace;
# every test daemon reads it (hall/queue/core/clock.py), so no test depends on the wall
# clock, the weekday or the 03:00 business-day reset: a Tuesday morning, a working day,
# far from a holiday, from the lunch break and from the reset.
CLOCK_START = "2026-06-02T10:00:00+08:00"
START = dt.datetime.fromisoformat(CLOCK_START)
TODAY = START.date()
_BASE, _T0 = START.timestamp(), time.monotonic()


def clock() -> float:
    """The tests' clock (seconds since the epoch): CLOCK_START plus the session's age."""
    return _BASE + (time.monotonic() - _T0)


def now() -> dt.datetime:
    """The tests' clock as an aware UTC datetime: what every test daemon reads now."""
    return dt.datetime.fromtimestamp(clock(), dt.UTC)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_id(first17: str) -> str:
    """Complete a number by computing its check character independently of check_char."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # the standard's definition: 2^(i-1) mod 11
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def hall_config(**overrides: Any) -> dict[str, Any]:
    """A small test hall: four always-open services, one closed today, five windows."""
    cfg: dict[str, Any] = {
        "hall": {
            "name": "测试大厅",
            "timezone": "Asia/Shanghai",
            "hours": {
                "open": "09:00",
                "close": "17:00",
                "lunch_break": {"start": "12:00", "end": "13:30"},
                # Closed on the clock's day and the next, so "outside hours" is testable.
                "closed_dates": [TODAY, TODAY + dt.timedelta(days=1)],
            },
        },
        "services": [
            {
                "code": "general",
                "name_zh": "综合受理",
                "name_en": "General",
                "prefix": "A",
                "hours": "always",
                "per_person_daily_limit": 2,
            },
            {
                "code": "vip",
                "name_zh": "企业开办",
                "name_en": "Business",
                "prefix": "B",
                "hours": "always",
            },
            {
                "code": "other",
                "name_zh": "不动产",
                "name_en": "Real estate",
                "prefix": "C",
                "hours": "always",
                "allow_priority": False,
            },
            {
                "code": "capped",
                "name_zh": "出入境",
                "name_en": "Exit-entry",
                "prefix": "D",
                "hours": "always",
                "daily_cap": 3,
            },
            {"code": "daytime", "name_zh": "社保", "name_en": "Social", "prefix": "E"},
        ],
        "windows": [
            # 自助申报 of 市场监督管理局 (the helpers' SJ-DJ-001) are handled at window 1.
            {"number": 1, "services": ["general", "vip"], "matters": ["市场监督管理局"]},
            {"number": 2, "services": ["general"]},
            {"number": 3, "services": ["other"]},
            {"number": 4, "services": ["other", "general"]},
            {"number": 5, "services": ["capped", "daytime"]},
        ],
        "staff": [
            {"id": f"S00{n}", "name": f"员工{n}", "pin_hash": _PIN_HASH, "windows": [n]}
            for n in range(1, 6)
        ]
        + [{"id": "SB", "name": "备岗", "pin_hash": _PIN_HASH, "windows": [1, 2], "role": "B"}],
        "api": {
            "tokens": [
                {"name": "kiosk-t", "token": "kiosk-token-1", "role": "kiosk"},
                {"name": "lobby-t", "token": "display-token-1", "role": "display"},
                {"name": "mgr-t", "token": "manager-token-1", "role": "manager"},
            ]
        },
    }
    for key, value in overrides.items():
        cfg[key] = value
    return cfg


def write_config(path: Path, cfg: dict[str, Any]) -> Path:
    """Write a config dict as YAML (dates become YAML dates)."""
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
