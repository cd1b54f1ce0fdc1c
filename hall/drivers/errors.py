"""The drivers' own errors: callers never see SerialException or OSError."""


class DriverError(Exception):
    """Base of every error a driver raises."""


class DeviceOffline(DriverError):
    """The device (or the port it hangs on) cannot be reached now."""


class FrameError(DriverError):
    """A frame on the wire is malformed: bad length, checksum, stuffing or end byte."""


class PrinterOffline(DeviceOffline):
    """The ticket printer cannot be reached."""


class PaperOut(DriverError):
    """The ticket printer reports paper end."""
