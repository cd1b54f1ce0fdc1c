"""What every role's screens share: the UI bridge, the face watch, the live picture, ``tr()``.

Nothing here imports a role's screens (``hall.screens.kiosk``, ``caller``, ``lobby``).
"""
