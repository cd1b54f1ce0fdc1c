"""首问登记 on the caller panel: the clerk first asked logs the enquiry in a few taps.

The seed's 首问负责制: "行政管理相对人来行政机关办事或者通过电话、传真等形式所询问的第一位
机关工作人员,即为首问责任人"; "属电话咨询或举报的,首问责任人要将来电反映的事项、来电人姓名、
联系电话等登记在册,并转告相关部门办理".

:class:`CallerEnquiry` is the 首问 part of a :class:`~hall.screens.caller.root.CallerRoot`
(it never imports the root): one 首问登记 button in the panel's row of extra buttons and
one screen, :class:`EnquiryScreen`. The form reads what it offers from the daemon when it
opens (``GET /enquiries/form``: the quick topics of config ``enquiries:``, the matters of
the window's department, the departments to refer to) and logs with the clerk's own
session (``POST /enquiries``): the daemon takes the staff id and window from it.

Taps: how asked (当面/电话/其他, default 当面), a quick topic (or typed), the matter
(optional), how answered (default 当场答复), for 转交办理 to whom, the caller's name and
phone (optional), 登记. A quick topic is logged in Chinese whatever the screen's
language, so the register reads the same for every clerk.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from hall.kiosk.client import DaemonError
from hall.screens.caller import widgets  # noqa: F401 - CallerLabel, CallerButton, CallerCard
from hall.screens.common.fit_label import FitLabel  # noqa: F401 - used by enquiry.kv
from hall.screens.common.translate import Translated

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_name("enquiry.kv")))


def _name(names: dict[str, str], lang: str, fallback: str) -> str:
    return names.get(lang) or names.get("zh") or fallback


class EnquiryScreen(Translated, Screen):
    """The 首问 form of one window (its taps, the daemon's answer or refusal)."""

    hall_id = StringProperty("enquiry")
    lang = StringProperty("zh")
    window_number = NumericProperty(0)
    channel = StringProperty("in_person")
    answer = StringProperty("answered")
    matter = StringProperty("")
    referred_to = StringProperty("")
    has_matters = BooleanProperty(True)
    message = StringProperty("")
    message_error = BooleanProperty(False)
    busy = BooleanProperty(False)

    def __init__(self, part: CallerEnquiry, **kwargs: Any) -> None:
        self.part = part
        self.strings = part.ctx.strings
        self.form: dict[str, Any] = {"topics": [], "matters": [], "departments": []}
        super().__init__(window_number=part.window, **kwargs)
        self.lang = self.strings.language

    def on_lang(self, *_args: object) -> None:
        """Rebuild the buttons made in Python in the new language."""
        self._fill()

    # -- opening -----------------------------------------------------------------------
    def open(self) -> None:
        """Show an empty form and read its options from the daemon."""
        self.channel, self.answer, self.matter, self.referred_to = "in_person", "answered", "", ""
        for field in ("topic", "name", "phone"):
            self.ids[field].text = ""
        self.busy = True
        self._say(self.tr("enquiry.loading"))
        self._fill()
        self.ids.scroll.scroll_y = 1
        self.part.caller.current = self.name
        self.part.bridge.submit(self.part.ctx.client.enquiry_form, self._loaded, self._failed)

    def _loaded(self, form: dict[str, Any]) -> None:
        self.form = form
        self.busy = False
        self._say("")
        self._fill()
        self.ids.scroll.scroll_y = 1  # the top of the form

    def _failed(self, exc: DaemonError) -> None:
        self.busy = False
        self._say(exc.text(self.lang), error=True)

    def _fill(self) -> None:
        """The topic, matter and referral buttons from the form's options."""
        topics, matters = self.ids.topics, self.ids.matters
        topics.clear_widgets()
        for n, topic in enumerate(self.form.get("topics", [])):
            label = _name(topic, self.lang, "")
            button = Factory.EnqChoice(text=label, hall_id=f"enq-topic-{n}")
            button.bind(on_release=lambda _b, t=label: setattr(self.ids.topic, "text", t))
            topics.add_widget(button)
        matters.clear_widgets()
        for m in self.form.get("matters", []):
            button = Factory.EnqChoice(
                text=f"{_name(m['name'], self.lang, m['code'])}（{m['code']}）",
                hall_id=f"enq-matter-{m['code']}",
                chosen=m["code"] == self.matter,
            )
            button.bind(on_release=lambda _b, c=m["code"]: self.pick_matter(c))
            matters.add_widget(button)
        self.has_matters = bool(self.form.get("matters")) or self.busy
        self._fill_referral()

    def _fill_referral(self) -> None:
        box = self.ids.referral
        box.clear_widgets()
        if self.answer != "referred":
            return
        box.add_widget(Factory.EnqHeading(text=self.tr("enquiry.referred_to")))
        grid = Factory.EnqGrid(hall_id="enq-departments")
        for d in self.form.get("departments", []):
            button = Factory.EnqChoice(
                text=_name(d["name"], self.lang, d["code"]),
                hall_id=f"enq-dept-{d['code']}",
                chosen=d["code"] == self.referred_to,
            )
            button.bind(on_release=lambda _b, c=d["code"]: self.pick_referral(c))
            grid.add_widget(button)
        box.add_widget(grid)
        typed = Factory.EnqInput(hall_id="enq-referred", hint_text=self.tr("enquiry.referred_hint"))
        known = {d["code"] for d in self.form.get("departments", [])}
        typed.text = "" if self.referred_to in known else self.referred_to
        typed.bind(text=lambda _w, text: setattr(self, "referred_to", text.strip()))
        box.add_widget(typed)

    # -- taps --------------------------------------------------------------------------
    def pick_matter(self, code: str) -> None:
        """Tap a matter: chosen, or not any more."""
        self.matter = "" if self.matter == code else code
        for button in self.ids.matters.children:
            button.chosen = button.hall_id == f"enq-matter-{self.matter}"

    def pick_answer(self, answer: str) -> None:
        """How it was answered; 转交办理 shows whom to."""
        self.answer = answer
        if answer != "referred":
            self.referred_to = ""
        self._fill_referral()

    def pick_referral(self, code: str) -> None:
        """Refer to a department."""
        self.referred_to = code
        self._fill_referral()

    def close(self) -> None:
        """Back to the panel, nothing logged."""
        self.part.caller.current = "panel"

    # -- logging -----------------------------------------------------------------------
    def body(self) -> dict[str, Any] | None:
        """The POST body from the form, or None (and the reason said) when it lacks something."""
        topic = self.ids.topic.text.strip()
        if not topic:
            self._say(self.tr("enquiry.need_topic"), error=True)
            return None
        if self.answer == "referred" and not self.referred_to:
            self._say(self.tr("enquiry.need_referred"), error=True)
            return None
        for quick in self.form.get("topics", []):
            if topic in quick.values():
                topic = quick["zh"]  # one wording in the register, whatever the language
        body: dict[str, Any] = {"channel": self.channel, "topic": topic, "answer": self.answer}
        if self.matter:
            body["matter"] = self.matter
        if self.answer == "referred":
            body["referred_to"] = self.referred_to
        contact = {k: self.ids[k].text.strip() for k in ("name", "phone")}
        if any(contact.values()):
            body["contact"] = {k: v for k, v in contact.items() if v}
        return body

    def submit(self) -> None:
        """登记: log the enquiry with the clerk's session; back to the panel once logged."""
        if self.busy:
            return
        body = self.body()
        if body is None:
            return
        self.busy = True
        self._say(self.tr("enquiry.busy"))
        client = self.part.ctx.client
        self.part.bridge.submit(lambda: client.log_enquiry(body), self._logged, self._failed)

    def _logged(self, row: dict[str, Any]) -> None:
        self.busy = False
        self._say("")
        self.part.logged(row)

    def _say(self, text: str, error: bool = False) -> None:
        self.message = text
        self.message_error = error


class CallerEnquiry:
    """The 首问 button on the panel and its screen, in one caller role."""

    def __init__(self, caller: Any) -> None:
        self.caller = caller
        self.ctx = caller.ctx
        self.bridge = caller.bridge
        self.panel = caller.panel
        self.window = caller.window
        self.last: dict[str, Any] | None = None  # the enquiry logged last (tests read it)
        self.screen = EnquiryScreen(self, name="enquiry")
        caller.add_widget(self.screen)
        self.button = Factory.CallerButton(
            hall_id="btn-enquiry", font_size="36sp", size_hint_y=None, height=dp(110)
        )
        self.button.bind(on_release=lambda _b: self.screen.open())
        self.panel.bind(lang=self._relabel, busy=self._busy)
        self.panel.ids.face_slot.add_widget(self.button)
        self._relabel()

    def _relabel(self, *_args: object) -> None:
        self.button.text = self.panel.tr("enquiry.button")

    def _busy(self, _panel: object, busy: bool) -> None:
        self.button.disabled = busy

    def logged(self, row: dict[str, Any]) -> None:
        """The daemon logged it: back to the panel, which says so."""
        self.last = row
        self.caller.current = "panel"
        self.panel._say(self.panel.tr("enquiry.done", topic=row.get("topic", "")))
