"""Layout checks for a mounted Kivy widget tree: what a person would see as broken.

:func:`check_tree` walks the widgets shown under a root and reports:

* ``text-overflow``: a label whose text needs more room than the label has
  (Kivy's texture size, measured with the label's own wrapping width but no
  height limit, against the label's size; the texture includes the padding);
* ``text-cut``: a label that cuts its text (``shorten`` ellipsis "示范区政务服…",
  or ``max_lines``) because it does not fit;
* ``word-split``: a Latin word wider than the label's wrapping width, which Kivy
  breaks inside the word ("replacemen / t");
* ``overlap``: two touchable widgets (buttons, text inputs, anything with
  ``on_press``) whose visible rectangles overlap in window coordinates;
* ``clipped``: a widget outside the window, or wider than a ScrollView that
  does not scroll sideways;
* ``small-target``: a touch target smaller than ``min_target_dp``;
* ``scroll-cut``: a text (not a button) cut across by the edge of a scrolling
  area that *nearly* fits (its content overflows by under
  :data:`NEARLY_FITS` of its height), as the screen first shows: a half line a
  person may read as the last one, with nothing else telling
  them the area scrolls. Long lists, which plainly scroll, and a text
  longer than its area (a scrolling preview) are not flagged.

:func:`compare_targets` reports the touch targets that are smaller in
large-text mode than the same target in normal mode. Each :class:`Finding`
names the screen, the mode, the widget and the sizes, so a failing test says
what to fix. The checker only reads the tree (a label it re-measures is put
back as it was); it never draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.layout import Layout
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.screenmanager import ScreenManager
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

#: Minimum touch target (dp): normal text, and large text (适老化).
MIN_TARGET_DP = 44
MIN_TARGET_LARGE_DP = 60
#: Pixels of slack before a size or an overlap counts (rounding of layouts).
SLACK = 1.5

#: A scrolling area whose content overflows by less than this share of its
#: height "nearly fits": it should fit instead of hiding a sliver.
NEARLY_FITS = 0.25

Rect = tuple[float, float, float, float]  # x, y, right, top in window coordinates


@dataclass(frozen=True)
class Finding:
    """One layout problem on one screen in one mode."""

    screen: str
    mode: str
    widget: str
    problem: str
    detail: str

    def __str__(self) -> str:
        return f"{self.screen} [{self.mode}] {self.widget}: {self.problem}: {self.detail}"


@dataclass(frozen=True)
class Target:
    """A touch target's size, keyed for comparing modes."""

    name: str
    width: float
    height: float


def widget_name(w: Widget, kv_ids: dict[int, str] | None = None) -> str:
    """How a finding names a widget: hall_id, kv id or its text, with its class."""
    label = getattr(w, "hall_id", "") or (kv_ids or {}).get(id(w), "")
    text = getattr(w, "text", None)
    shown = f"#{label}" if label else ""
    if isinstance(text, str) and text.strip():
        short = " ".join(text.split())
        shown += f' "{short[:30]}{"…" if len(short) > 30 else ""}"'
    return f"{type(w).__name__}{shown}"


def window_rect(w: Widget) -> Rect:
    """The widget's rectangle in window coordinates."""
    x, y = w.to_window(w.x, w.y)
    return (x, y, x + w.width, y + w.height)


def _intersect(a: Rect, b: Rect) -> Rect | None:
    x, y = max(a[0], b[0]), max(a[1], b[1])
    r, t = min(a[2], b[2]), min(a[3], b[3])
    return (x, y, r, t) if r > x and t > y else None


def _size(r: Rect) -> str:
    return f"{r[2] - r[0]:.0f}x{r[3] - r[1]:.0f}"


def shown_widgets(root: Widget) -> Iterator[tuple[Widget, Rect | None]]:
    """Widgets a person can see under ``root``, each with its visible window rectangle.

    Skipped with their subtree: opacity 0, zero size. The visible rectangle is
    cut by every ScrollView above (None when scrolled out of view) and by the
    root; it is None too for widgets under an overlay (a later sibling with a
    backdrop that covers the parent, like a picker sheet laid over a panel).
    """
    bounds = window_rect(root)

    def walk(w: Widget, clip: Rect | None) -> Iterator[tuple[Widget, Rect | None]]:
        if w.opacity <= 0.01 or w.width < 1 or w.height < 1:
            return
        rect = window_rect(w)
        visible = _intersect(rect, clip) if clip else None
        yield w, visible
        inner = visible if isinstance(w, ScrollView) else clip
        drawn = list(reversed(w.children))  # children are stored last-added first
        if isinstance(w, ScreenManager) and w.current_screen is not None:
            # A screen on its way out stays a child for a frame: only the current one shows.
            drawn = [c for c in drawn if c is w.current_screen]
        top = max((i for i, c in enumerate(drawn) if _is_overlay(c, w)), default=0)
        for i, child in enumerate(drawn):
            yield from walk(child, inner if i >= top else None)

    yield from walk(root, bounds)


def _is_overlay(child: Widget, parent: Widget) -> bool:
    """A child drawn over its siblings: it covers the parent and paints a backdrop."""
    if isinstance(parent, Layout) and not isinstance(parent, (FloatLayout, RelativeLayout)):
        return False  # box and grid layouts place children side by side, never stacked
    if child.opacity <= 0.01 or child.width < parent.width - SLACK:
        return False
    if child.height < parent.height - SLACK:
        return False
    colours = [i for i in child.canvas.before.children if isinstance(i, Color)]
    return any(c.a >= 0.5 for c in colours) and any(
        isinstance(i, Rectangle) for i in child.canvas.before.children
    )


def is_touchable(w: Widget) -> bool:
    """Buttons, text inputs and anything a finger can press."""
    return (
        isinstance(w, (ButtonBehavior, TextInput))
        or w.is_event_type("on_press")
        or w.is_event_type("on_release")
    )


def _kv_ids(root: Widget) -> dict[int, str]:
    found: dict[int, str] = {}
    for w in root.walk(restrict=True):
        for name, ref in getattr(w, "ids", {}).items():
            found.setdefault(id(ref), name)
    return found


def _measure(label: Label, **changes: object) -> tuple[float, float]:
    """The label's texture size with some properties changed, then put back."""
    saved = {k: getattr(label, k) for k in changes}
    try:
        for k, v in changes.items():
            setattr(label, k, v)
        label.texture_update()
        return tuple(label.texture_size)
    finally:
        for k, v in saved.items():
            setattr(label, k, v)
        label.texture_update()


def check_label(label: Label, name: str) -> list[tuple[str, str, str]]:
    """(widget, problem, detail) for one label's text against its own box."""
    if not label.text.strip():
        return []
    label.texture_update()
    out: list[tuple[str, str, str]] = []
    wrap_w, limit_h = label.text_size
    tw, th = label.texture_size
    if label.shorten or label.max_lines:
        # What the text needs uncut, at the wrapping width the label gives it.
        full_w, full_h = _measure(
            label,
            shorten=False,
            max_lines=0,
            text_size=(wrap_w if not label.shorten else None, None),
        )
        cut_w = label.shorten and full_w > (wrap_w or label.width) + SLACK
        cut_h = label.max_lines and full_h > th + SLACK
        if cut_w or cut_h:
            out.append(
                (
                    name,
                    "text-cut",
                    f"text needs {full_w:.0f}x{full_h:.0f}, shown cut in {label.width:.0f}x{label.height:.0f}",
                )
            )
            return out
    elif limit_h is not None:
        tw, th = _measure(label, text_size=(wrap_w, None))
    if tw > label.width + SLACK or th > label.height + SLACK:
        out.append(
            (
                name,
                "text-overflow",
                f"text {tw:.0f}x{th:.0f} in a {label.width:.0f}x{label.height:.0f} label",
            )
        )
    if wrap_w and not label.shorten:
        out.extend(_split_words(label, name, wrap_w))
    return out


def _split_words(label: Label, name: str, wrap_w: float) -> list[tuple[str, str, str]]:
    """Latin words wider than the wrapping width: Kivy breaks them inside the word."""
    pad = label.padding[0] + label.padding[2] if len(label.padding) == 4 else 2 * label.padding[0]
    room = wrap_w - pad
    for word in {w for w in label.text.split() if w.isascii() and len(w) > 3}:
        ww, _ = _measure(label, text=word, text_size=(None, None))
        if ww - pad > room + SLACK:
            return [(name, "word-split", f'"{word}" needs {ww:.0f} px, wraps at {wrap_w:.0f}')]
    return []


def check_tree(
    root: Widget, screen: str, mode: str, *, min_target_dp: float = MIN_TARGET_DP
) -> tuple[list[Finding], list[Target]]:
    """Every finding on the tree under ``root`` and its touch targets (for comparing modes)."""
    kv_ids = _kv_ids(root)
    bounds = window_rect(root)
    findings: list[Finding] = []
    touchables: list[tuple[Widget, Rect, str]] = []
    targets: list[Target] = []
    seen_names: dict[str, int] = {}

    def add(widget: str, problem: str, detail: str) -> None:
        findings.append(Finding(screen, mode, widget, problem, detail))

    for w, visible in shown_widgets(root):
        name = widget_name(w, kv_ids)
        rect = window_rect(w)
        if isinstance(w, Label):
            for found in check_label(w, name):
                add(*found)
        if isinstance(w, ScrollView) and not w.do_scroll_x and w.children:
            content = w.children[0]
            if content.width > w.width + SLACK:
                add(
                    name,
                    "clipped",
                    f"content {content.width:.0f} wide in a {w.width:.0f} wide ScrollView",
                )
        if isinstance(w, Label) and not is_touchable(w) and w.text.strip() and visible is not None:
            cut = _scroll_cut(w, rect, visible)
            if cut:
                add(name, "scroll-cut", cut)
        outside = _intersect(rect, bounds) != rect and not _inside_scroll(w)
        if outside and (isinstance(w, Label) or is_touchable(w)):
            add(
                name,
                "clipped",
                f"{_size(rect)} at ({rect[0]:.0f},{rect[1]:.0f}) leaves the window {_size(bounds)}",
            )
        if is_touchable(w) and visible is not None:
            touchables.append((w, visible, name))
            n = seen_names.get(name, 0)
            seen_names[name] = n + 1
            targets.append(Target(name if n == 0 else f"{name}[{n}]", w.width, w.height))
            least = dp(min_target_dp)
            if min(w.width, w.height) + SLACK < least:
                add(
                    name,
                    "small-target",
                    f"{w.width:.0f}x{w.height:.0f}, under {least:.0f}x{least:.0f}",
                )
    findings.extend(_overlaps(touchables, screen, mode))
    return findings, targets


def _scroll_cut(w: Widget, rect: Rect, visible: Rect) -> str | None:
    """Why ``w`` is cut by the edge of a scrolling area that nearly fits, or None."""
    view = next((p for p in _ancestors(w) if isinstance(p, ScrollView)), None)
    if view is None or not view.children:
        return None
    shown, full = visible[3] - visible[1], rect[3] - rect[1]
    if not SLACK < shown < full - SLACK or full > view.height - SLACK:
        return None  # whole, out of view, or a text longer than the area (made to scroll)
    over = view.children[0].height - view.height
    if not 0 < over < NEARLY_FITS * view.height:
        return None
    return (
        f"{shown:.0f} of {full:.0f} px shown: the scrolling area's content is only"
        f" {over:.0f} px taller than its {view.height:.0f} px; make it fit"
    )


def _inside_scroll(w: Widget) -> bool:
    p = w.parent
    while p is not None and p is not p.parent:
        if isinstance(p, ScrollView):
            return True
        p = p.parent
    return False


def _related(a: Widget, b: Widget) -> bool:
    return any(p is b for p in _ancestors(a)) or any(p is a for p in _ancestors(b))


def _ancestors(w: Widget) -> Iterator[Widget]:
    p = w.parent
    while p is not None and p is not p.parent:
        yield p
        p = p.parent


def _overlaps(items: list[tuple[Widget, Rect, str]], screen: str, mode: str) -> list[Finding]:
    out = []
    for i, (a, ra, na) in enumerate(items):
        for b, rb, nb in items[i + 1 :]:
            both = _intersect(ra, rb)
            if both is None or _related(a, b):
                continue
            if both[2] - both[0] > SLACK and both[3] - both[1] > SLACK:
                out.append(
                    Finding(screen, mode, na, "overlap", f"overlaps {nb} by {_size(both)} px")
                )
    return out


def compare_targets(
    normal: list[Target], large: list[Target], screen: str, mode: str
) -> list[Finding]:
    """Touch targets smaller in large-text mode than the same target in normal mode."""
    before = {t.name: t for t in normal}
    out = []
    for t in large:
        n = before.get(t.name)
        if n and (t.width + SLACK < n.width or t.height + SLACK < n.height):
            out.append(
                Finding(
                    screen,
                    mode,
                    t.name,
                    "smaller-in-large",
                    f"{t.width:.0f}x{t.height:.0f} in large text, {n.width:.0f}x{n.height:.0f} in normal",
                )
            )
    return out


def labels_fit(root: Widget) -> None:
    """Assert that no shown label under ``root`` overflows, is cut or splits a word."""
    kv_ids = _kv_ids(root)
    found = [
        f
        for w, _ in shown_widgets(root)
        if isinstance(w, Label)
        for f in check_label(w, widget_name(w, kv_ids))
    ]
    assert not found, found


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG contrast ratio of two sRGB colours (1 to 21)."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
