"""A byte-at-a-time frame splitter base for the LED wire formats."""

from __future__ import annotations


class ByteSplitter:
    """Subclasses implement :meth:`push`; this adds feeding whole reads and reset."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.garbage = 0  # bytes seen outside any frame

    @property
    def idle(self) -> bool:
        """True between frames."""
        return not self._buf

    def push(self, byte: int) -> bytes | None:
        """Take one byte; return a raw chunk when one is complete or cut short."""
        raise NotImplementedError

    def feed(self, data: bytes) -> list[bytes]:
        """Push every byte of ``data``; return the chunks completed."""
        chunks = []
        for byte in data:
            chunk = self.push(byte)
            if chunk is not None:
                chunks.append(chunk)
        return chunks

    def reset(self) -> None:
        """Forget a partial frame."""
        self._buf.clear()
