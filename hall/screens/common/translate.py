"""``tr()``: a screen's strings in the current language, for Python and for kv rules.

The caller, lobby and face screens keep a ``lang`` property and a
:class:`~hall.kiosk.i18n.Strings` (``self.strings``). A kv rule writes
``root.tr("caller.call", root.lang)``: the extra ``root.lang`` argument is
ignored here, but it makes Kivy re-evaluate the text when the language
switches. (The kiosk role has its own ``ui.t`` in :mod:`hall.screens.kiosk.ui`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hall.kiosk.i18n import Strings


class Translated:
    """Mixin for a widget with ``self.strings``: :meth:`tr` reads it in its current language."""

    strings: Strings

    def tr(self, key: str, *_bound: object, **values: object) -> str:
        """A string in the current language (kv passes ``root.lang`` to re-evaluate on switch)."""
        return self.strings.t(key, **values)
