"""The device hub: wires the drivers (LED boards, voice, keypads, evaluators) to the events.

``hub`` holds :class:`~hall.queue.devices.hub.DeviceHub`, the daemon's one way to
its devices; its LED side is ``leds`` (with ``window_boards`` and ``rotation``),
its keypad and evaluator side ``keypads``.

Also what the daemon keeps about its terminals: refused bearer tokens
(``token_refusals``) and refused outbox cases taken up by a manager (``outbox_acks``).
"""
