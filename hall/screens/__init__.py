"""Kivy screens of the three roles (kiosk, caller, lobby); one .kv file per screen.

Screens get everything through :class:`hall.kiosk.context.KioskContext`; they
never open devices or read config.yaml themselves.
"""
