"""Shared pieces of the config models: the strict base class, HH:MM times, the error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time HH:MM")]


class ConfigError(Exception):
    """config.yaml cannot be used; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def read_yaml(path: Path, error: type[Exception]) -> Any:
    """A YAML file's content, or ``error`` naming the file and what is wrong."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc


def parse_hhmm(value: str) -> dt.time:
    """Turn "HH:MM" (already validated) into a time."""
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))
