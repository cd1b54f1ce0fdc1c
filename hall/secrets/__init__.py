"""Key files and sealing (AES-256-GCM) shared by the daemon and the terminal (kiosk).

:mod:`hall.secrets.keyring` keeps a key file's keys by purpose;
:mod:`hall.secrets.sealing` seals and opens data with its ``data`` keys. Both
import nothing of ``hall.queue`` or ``hall.kiosk``, so either side may use them.
"""
