"""Device status shared by every driver, exposed by the daemon's device list."""

from enum import StrEnum


class DeviceStatus(StrEnum):
    """What a device is doing now, as the daemon reports it."""

    OK = "ok"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    ERROR = "error"
    STARTING = "starting"


#: States in which the device accepts work.
OPERATIONAL_STATES = frozenset({DeviceStatus.OK})
