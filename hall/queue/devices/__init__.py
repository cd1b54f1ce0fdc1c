"""The device hub: wires the drivers (LED boards, voice, keypads, evaluators) to the events.

Also what the daemon keeps about its terminals: refused bearer tokens
(``token_refusals``) and refused outbox cases taken up by a manager (``outbox_acks``).
"""
