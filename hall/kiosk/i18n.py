"""UI strings: one folder per language (hall/kiosk/locale/<lang>/*.yaml), zh first.

Every key exists in every language (checked at load and by the tests); a
missing key is an error naming the file, not an empty label on a kiosk.
"""

from __future__ import annotations

from pathlib import Path

import yaml

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("zh", "en")


class Strings:
    """Strings of every language, and the language now shown."""

    def __init__(self, language: str = "zh", folder: Path = LOCALE_DIR) -> None:
        self.table: dict[str, dict[str, str]] = {lang: _load(folder / lang) for lang in LANGUAGES}
        _check_same_keys(self.table, folder)
        self.language = language

    @property
    def language(self) -> str:
        """The language shown now ("zh" or "en")."""
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"unknown language {value!r}; known: {', '.join(LANGUAGES)}")
        self._language = value

    def t(self, key: str, **values: object) -> str:
        """The string for ``key`` in the current language, formatted with ``values``."""
        return self.table[self._language][key].format(**values)


def _load(folder: Path) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if key in merged:
                raise ValueError(f"{path}: key {key!r} is defined twice")
            if not isinstance(value, str):
                raise ValueError(f"{path}: key {key!r} must be a string")
            merged[key] = value
    return merged


def _check_same_keys(table: dict[str, dict[str, str]], folder: Path) -> None:
    every = set().union(*table.values())
    for lang, strings in table.items():
        missing = sorted(every - strings.keys())
        if missing:
            raise ValueError(f"{folder / lang}: missing {', '.join(missing)}")
