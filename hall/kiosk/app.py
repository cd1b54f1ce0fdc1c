"""The Kivy application: one program, three roles (kiosk, caller, lobby)."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.widget import Widget

from hall.kiosk.context import KioskContext

ROLES = ("kiosk", "caller", "lobby")


def build_root(ctx: KioskContext, role: str, window: int | None = None) -> Widget:
    """The root widget of a role; each has a ``shutdown()`` that stops its threads."""
    if role == "kiosk":
        from hall.screens.kiosk.root import KioskRoot

        return KioskRoot(ctx)
    if role == "caller":
        from hall.screens.caller.root import CallerRoot

        if window is None:
            raise ValueError("the caller role needs --window N")
        return CallerRoot(ctx, window)
    if role == "lobby":
        from hall.screens.lobby.root import LobbyRoot

        return LobbyRoot(ctx)
    raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLES)}")


class HallApp(App):
    """Runs one role full screen."""

    def __init__(self, ctx: KioskContext, role: str, window: int | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.role = role
        self.window_number = window
        self.title = f"{ctx.hall_name} — {role}"

    def build(self) -> Widget:
        """Kivy calls this once the window exists."""
        return build_root(self.ctx, self.role, self.window_number)

    def on_stop(self) -> None:
        """Stop the role's threads (event followers, timers)."""
        shutdown = getattr(self.root, "shutdown", None)
        if shutdown:
            shutdown()
        self.ctx.close()
