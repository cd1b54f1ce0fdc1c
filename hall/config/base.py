"""Shared pieces of the config models: the strict base class, HH:MM times, the error."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time HH:MM")]


class ConfigError(Exception):
    """config.yaml cannot be used; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_hhmm(value: str) -> dt.time:
    """Turn "HH:MM" (already validated) into a time."""
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))
