"""Layout checks on a mounted Kivy tree: labels that fit their widgets, contrast."""

from __future__ import annotations


def visible(w: object) -> bool:
    """Drawn: neither it nor any parent is transparent."""
    from kivy.uix.widget import Widget

    while isinstance(w, Widget):  # up to the window (not a Widget)
        if not w.opacity:
            return False
        w = w.parent
    return True


def labels_fit(root: object) -> None:
    """No label's text is wider or taller than its widget, nor cut short with "…"."""
    from kivy.core.text import Label as CoreLabel
    from kivy.uix.label import Label

    for w in root.walk(restrict=True):
        if not (isinstance(w, Label) and w.text and visible(w)):
            continue
        tw, th = w.texture_size
        assert tw <= w.width + 1 and th <= w.height + 1, (w.text, w.texture_size, w.size)
        font = {"font_size": w.font_size, "font_name": w.font_name, "bold": w.bold}
        if w.shorten:  # Kivy would cut the text: it must fit on one line uncut
            core = CoreLabel(text=w.text, **font)
            core.refresh()
            assert core.content_width <= w.width - 2 * w.padding_x + 1, (w.text, w.width)
        elif w.text_size[1] is not None:  # the texture is the box: measure the text itself
            core = CoreLabel(text=w.text, text_size=(w.width - 2 * w.padding_x, None), **font)
            core.refresh()
            assert core.content_height <= w.height + 1, (w.text, core.content_size, w.size)


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG contrast ratio of two sRGB colours (1 to 21)."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
