"""Pinyin input for the kiosk's on-screen keyboard (no Kivy): letters in, characters out.

A citizen without an ID card reader must still be able to type a name. The
characters and their readings come from pypinyin's packaged character table
(``pypinyin.pinyin_dict``, pinned in pyproject.toml; nothing is downloaded at
run time), reversed into toneless syllable -> characters. Candidates are
ordered for names: the common surnames and given-name characters of
hall/kiosk/data/name_chars.yaml first, then the rest of GB2312 level 1 (the
3755 common characters), level 2, then every other character of the table.

:class:`PinyinComposer` holds the letters typed so far and pages through
their candidates; picking one gives the character and starts over.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

NAME_CHARS = Path(__file__).with_name("data") / "name_chars.yaml"
#: Candidates shown at once (one row of large buttons).
PAGE_SIZE = 6
#: Letters in a Mandarin syllable at most ("zhuang", "shuang").
MAX_LETTERS = 6


def toneless(reading: str) -> str:
    """A reading without tone marks: "zhāng" -> "zhang"; "lǜ" -> "lv" (ü typed as v)."""
    # NFD splits "ǜ" into u + diaeresis + grave: keep the diaeresis as "v".
    spelled = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in spelled if not unicodedata.combining(c)).lower()


def _gb_rank(char: str) -> int:
    """0 for GB2312 level 1 (common), 1 for level 2, 2 for anything else."""
    try:
        first = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return 2
    return 0 if 0xB0 <= first <= 0xD7 else 1


@functools.cache
def _name_rank() -> dict[str, int]:
    data = yaml.safe_load(NAME_CHARS.read_text(encoding="utf-8"))
    order: dict[str, int] = {}
    for char in data["surnames"] + data["given"]:
        order.setdefault(char, len(order))
    return order


@functools.cache
def syllable_index() -> dict[str, tuple[str, ...]]:
    """Every toneless syllable and its characters, best for names first.

    Built once (about 0.3 s) from pypinyin's table; only BMP CJK characters,
    which the kiosk's font and the ID card's name field cover.
    """
    from pypinyin.pinyin_dict import pinyin_dict

    names = _name_rank()
    found: dict[str, list[tuple[bool, str]]] = {}
    for code, readings in pinyin_dict.items():
        if not 0x4E00 <= code <= 0x9FFF:
            continue
        char = chr(code)
        spelled = [toneless(r) for r in readings.split(",")]
        for reading in dict.fromkeys(spelled):
            # The first reading is the usual one: 方 is "fang" before it is "wang".
            found.setdefault(reading, []).append((reading != spelled[0], char))

    def rank(entry: tuple[bool, str]) -> tuple[bool, int, int, bytes | int]:
        rare, char = entry
        if char in names:
            return (rare, 0, names[char], 0)
        gb = _gb_rank(char)
        # Within GB2312, its own order (by pinyin, then strokes) is a sensible one.
        return (rare, 1 + gb, 0, char.encode("gb2312") if gb < 2 else ord(char))

    return {
        syllable: tuple(char for _rare, char in sorted(chars, key=rank))
        for syllable, chars in found.items()
    }


def candidates(letters: str) -> list[str]:
    """Characters for ``letters``: the exact syllable first, then syllables it begins.

    "zh" lists zha, zhai ... characters; "zhang" lists 张 章 长 ... first.
    """
    letters = letters.lower()
    if not letters:
        return []
    index = syllable_index()
    out: list[str] = list(index.get(letters, ()))
    seen = set(out)
    longer = sorted(s for s in index if s.startswith(letters) and s != letters)
    # Interleave the longer syllables' best characters, so a prefix shows a useful mix.
    for depth in range(max((len(index[s]) for s in longer), default=0)):
        for syllable in longer:
            chars = index[syllable]
            if depth < len(chars) and chars[depth] not in seen:
                seen.add(chars[depth])
                out.append(chars[depth])
    return out


def is_prefix(letters: str) -> bool:
    """True if some syllable begins with ``letters`` (so another letter makes sense)."""
    letters = letters.lower()
    return any(s.startswith(letters) for s in syllable_index())


@dataclass
class PinyinComposer:
    """Letters typed so far and the page of candidates shown for them."""

    letters: str = ""
    page: int = 0
    _all: list[str] = field(default_factory=list, repr=False)

    def type(self, letter: str) -> bool:
        """Add a letter; False (and nothing changes) if no syllable would begin so."""
        letter = letter.lower()
        if len(self.letters) >= MAX_LETTERS or not is_prefix(self.letters + letter):
            return False
        self.letters += letter
        self._refresh()
        return True

    def backspace(self) -> bool:
        """Drop the last letter; False if there were none (delete a character instead)."""
        if not self.letters:
            return False
        self.letters = self.letters[:-1]
        self._refresh()
        return True

    def clear(self) -> None:
        """Forget the letters."""
        self.letters = ""
        self._refresh()

    def _refresh(self) -> None:
        self._all = candidates(self.letters)
        self.page = 0

    @property
    def shown(self) -> list[str]:
        """The candidates on the current page."""
        start = self.page * PAGE_SIZE
        return self._all[start : start + PAGE_SIZE]

    @property
    def has_more(self) -> bool:
        """There is a next page."""
        return (self.page + 1) * PAGE_SIZE < len(self._all)

    def next_page(self) -> None:
        """Show the next page of candidates, if any."""
        if self.has_more:
            self.page += 1

    def prev_page(self) -> None:
        """Show the previous page of candidates, if any."""
        self.page = max(0, self.page - 1)

    def pick(self, index: int) -> str:
        """The ``index``-th character shown; the letters start over."""
        char = self.shown[index]
        self.clear()
        return char
