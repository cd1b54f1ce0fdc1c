"""The citizen pages' small template renderer: blocks from files, values escaped."""

from __future__ import annotations

import pytest

from hall.queue.web.pages.citizen import render
from hall.queue.web.pages.citizen.render import Html, fill, lines


def test_values_are_escaped_unless_already_html() -> None:
    assert fill("note", text='<b>"A&B"</b>') == (
        '  <p class="note">&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</p>'
    )
    assert fill("note", text=Html("<b>A</b>")) == '  <p class="note"><b>A</b></p>'
    assert isinstance(fill("note", text="x"), Html)


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(KeyError):
        fill("note")


def test_lines() -> None:
    assert lines(["a", "b"]) == "a\nb"
    assert lines(["a", "b"], end="\n") == "a\nb\n"
    assert lines([], end="\n") == ""


def test_blocks_are_read_from_the_template_files(tmp_path) -> None:
    (tmp_path / "page.html").write_text("<html>$body</html>\n", encoding="utf-8")
    (tmp_path / "one.html").write_text(
        "<!-- a comment before the first block -->\n"
        "<!-- block first -->\n<p>$x</p>\n  <p>two</p>\n"
        "<!-- block second -->\n<i>$y</i>\n",
        encoding="utf-8",
    )
    blocks = render._load_blocks(tmp_path)
    assert set(blocks) == {"first", "second"}  # page.html is the whole page, not blocks
    assert blocks["first"].template == "<p>$x</p>\n  <p>two</p>"
    assert blocks["second"].template == "<i>$y</i>"
    (tmp_path / "two.html").write_text("<!-- block second -->\nagain\n", encoding="utf-8")
    with pytest.raises(ValueError, match="second"):
        render._load_blocks(tmp_path)


def test_every_block_of_the_pages_is_used() -> None:
    """A block no code fills is HTML nobody sees: the templates hold only what is rendered."""
    used = {
        "rating", "who", "level", "tag", "rated", "ticket", "moved", "facts", "note",
        "not_found", "query", "query_error", "case", "case_row", "overdue", "missing",
        "missing_item", "history_item", "rate_qr", "key_field", "served",
        "public", "public_list", "public_item", "public_none", "public_period", "public_case",
        "complaint_forms", "window_option", "complaint_error", "complaint_receipt",
        "complaint_view", "complaint_row", "complaint_rate", "complaint_choice",
    }  # fmt: skip
    assert set(render.BLOCKS) == used
