"""GB 11643 ID numbers: check digit, birth date, typing-time checks, fingerprints."""

from __future__ import annotations

import datetime as dt

import pytest

from hall.idnumber import (
    IdNumberError,
    check_char,
    id_fingerprint,
    partial_check,
    validate_id_number,
)
from tests.support import make_id


def test_weights_match_the_standard_definition() -> None:
    # The published example from GB 11643-1999: 11010519491231002X.
    assert check_char("11010519491231002") == "X"
    assert make_id("11010519491231002") == "11010519491231002X"


@pytest.mark.parametrize("first17", ["11010119900307001", "44030419851231153", "32010220000229008"])
def test_valid_numbers(first17: str) -> None:
    number = make_id(first17)
    assert validate_id_number(number.lower()) == number


def test_wrong_check_digit_is_refused_in_both_languages() -> None:
    good = make_id("11010119900307001")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(IdNumberError) as err:
        validate_id_number(bad)
    assert "check digit" in str(err.value) and "校验位" in err.value.message_zh


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("1101011990030700", "18 characters"),
        ("11010119900307001A", "digits"),
        (make_id("11010119900230001"), "impossible birth date"),
        (make_id("11010121000101001"), "not plausible"),
        (make_id("11010118000101001"), "not plausible"),
    ],
)
def test_bad_numbers(number: str, words: str) -> None:
    with pytest.raises(IdNumberError, match=words):
        validate_id_number(number, today=dt.date(2026, 11, 22))


def test_partial_check_while_typing() -> None:
    good = make_id("11010119900307001")
    assert partial_check("") is None
    assert partial_check(good[:10]) is None
    assert partial_check(good) is None
    assert partial_check("1101a") is not None
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验位" in partial_check(bad)


def test_fingerprint_is_keyed_and_stable() -> None:
    number = make_id("11010119900307001")
    a, b = id_fingerprint(number, b"k1"), id_fingerprint(number, b"k2")
    assert a == id_fingerprint(number, b"k1") and a != b
    assert number not in a and len(a) == 32
