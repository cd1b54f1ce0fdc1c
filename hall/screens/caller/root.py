"""The staff caller role: sign in at one window, then operate it (``--role caller --window N``).

:class:`CallerRoot` switches between the sign-in screen
(:mod:`hall.screens.caller.login`) and the panel (:mod:`hall.screens.caller.panel`).
The context's client starts with no token; a successful sign-in gives it the
staff token of this window, and signing out takes it away again.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from hall.kiosk.context import KioskContext
from hall.screens.caller.cases.flow import CallerCases
from hall.screens.caller.login import CallerLogin
from hall.screens.caller.panel import CallerPanel
from hall.screens.common.bridge import UiBridge

log = logging.getLogger(__name__)


class CallerRoot(ScreenManager):
    """Root of the caller role: sign-in screen, then the panel of ``window``."""

    hall_id = StringProperty("caller")

    def __init__(self, ctx: KioskContext, window: int, **kwargs: Any) -> None:
        super().__init__(transition=NoTransition(), **kwargs)
        self.ctx = ctx
        self.window = window
        self.bridge = UiBridge(ctx, f"caller-{window}")
        self.login_screen = CallerLogin(self, name="login")
        self.panel = CallerPanel(
            ctx,
            window,
            self.bridge,
            signed_out=self.logged_out,
            switch_language=self.switch_language,
            name="panel",
        )
        self.add_widget(self.login_screen)
        self.add_widget(self.panel)
        # 办件: open a case at 办结, the department's list (hall/screens/caller/cases/).
        self.cases = CallerCases(self)
        self.face = None  # 人脸签到 when this window has a face terminal and camera
        if ctx.face_terminal is not None and ctx.face_camera is not None:
            from hall.screens.caller.face import CallerFace

            self.face = CallerFace(self)
        # 首问登记 (issue 16): a panel button and its form; kept apart from the panel's code.
        from hall.screens.caller.enquiry import CallerEnquiry

        self.enquiry = CallerEnquiry(self)
        # 请假 (issue 16): the clerk's own leave, a department head's decisions.
        from hall.screens.caller.leave import CallerLeave

        self.leave = CallerLeave(self)
        # 我的考核 (issue 16): the clerk's own score and its lines.
        from hall.screens.caller.my_score import CallerMyScore

        self.my_score = CallerMyScore(self)
        self.current = "login"

    def login(self, staff_id: str, pin: str) -> None:
        """Ask the daemon for a staff token for this window (on the worker thread)."""
        client, window = self.ctx.client, self.window
        self.bridge.submit(
            lambda: client.login(staff_id, pin, window), self._logged_in, self.login_screen.failed
        )

    def signed_in(self, data: dict) -> None:
        """A staff token obtained elsewhere (a face check-in answers like /staff/login)."""
        self.ctx.client.token = data["token"]
        self._logged_in(data)

    def _logged_in(self, data: dict) -> None:
        log.info("%s signed in at window %d", data["staff_id"], self.window)
        self.login_screen.reset()
        self.panel.begin(data)
        self.cases.begin(data)
        self.leave.begin(data)
        self.current = "panel"

    def logged_out(self) -> None:
        """The daemon closed the window: drop the token and show the sign-in screen."""
        log.info("signed out at window %d", self.window)
        self.panel.end()
        self.cases.end()
        self.ctx.client.token = None
        self.login_screen.reset()
        self.current = "login"

    def switch_language(self) -> None:
        """Toggle between Chinese and English on every screen of the role."""
        strings = self.ctx.strings
        strings.language = "en" if strings.language == "zh" else "zh"
        for screen in self.screens:
            screen.lang = strings.language

    def shutdown(self) -> None:
        """Stop the face decision, the event follower, the worker thread and the clock events."""
        if self.face is not None:
            self.face.shutdown()
        self.cases.shutdown()
        self.bridge.close()
