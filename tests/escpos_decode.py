"""Decode ESC/POS bytes back into printed text lines, QR payloads and style regions.

Written from the Epson ESC/POS command reference, independently of
python-escpos, so a test checks the driver's bytes against the protocol and
not against the library that produced them. Handles what a ticket uses (ESC @,
ESC a, ESC E, ESC !, GS !, FS & / FS . with GB18030 inside Chinese mode, LF,
ESC d n, GS V, GS ( k) and skips every other command it knows with the right
number of parameter bytes; a command it does not know is recorded in
``unknown`` and only its two command bytes are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, CR, HT = 0x0A, 0x0D, 0x09

# Fixed parameter byte counts of commands that take no length field.
_ESC_PARAMS = {
    **dict.fromkeys(b"@2<LSimv", 0),  # init, default spacing, ... (no parameters)
    **dict.fromkeys(b" !%-3=?EGJMRTVaderctu{U", 1),  # ESC d n, ESC a n, ESC E n, ...
    **dict.fromkeys(b"$\\f", 2),  # absolute / relative position nL nH, ESC f m n
    ord("p"): 3,  # ESC p m t1 t2: drawer pulse
    ord("W"): 8,  # ESC W: print area in page mode
}
_GS_PARAMS = {
    **dict.fromkeys(b":", 0),
    **dict.fromkeys(b"!/BEHIabfhrwT|", 1),  # GS | n: print density
    **dict.fromkeys(b"$LPW\\", 2),
    ord("^"): 3,
}
_FS_PARAMS = {
    **dict.fromkeys(b"&.", 0),
    **dict.fromkeys(b"!-CW", 1),
    **dict.fromkeys(b"Sp", 2),
}


@dataclass
class Run:
    """A piece of one line printed in one style."""

    text: str
    bold: bool
    width: int
    height: int


@dataclass
class Decoded:
    """What the bytes would print."""

    lines: list[str] = field(default_factory=list)  # every printed line, blank ones too
    aligns: list[int] = field(default_factory=list)  # ESC a value at each line's end
    runs: list[Run] = field(default_factory=list)  # styled pieces of text, in order
    qr: list[str] = field(default_factory=list)  # GS ( k cn=49 fn=80 payloads
    qr_printed: int = 0  # GS ( k cn=49 fn=81
    cuts: int = 0
    status_queries: list[int] = field(default_factory=list)  # DLE EOT n
    unknown: list[bytes] = field(default_factory=list)

    @property
    def text_lines(self) -> list[str]:
        """The lines that print something."""
        return [line for line in self.lines if line.strip()]

    @property
    def bold(self) -> list[str]:
        """Text printed in bold (emphasised)."""
        return [r.text for r in self.runs if r.bold]

    @property
    def double(self) -> list[str]:
        """Text printed at twice the normal width and height or more."""
        return [r.text for r in self.runs if r.width >= 2 and r.height >= 2]


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.out = Decoded()
        self.line: list[str] = []
        self.raw = bytearray()  # undecoded text bytes in the current style
        self.chinese = False
        self.bold = False
        self.width = self.height = 1
        self.align = 0

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) < n:
            raise ValueError(f"truncated command at byte {self.pos}")
        self.pos += n
        return chunk

    def flush_text(self) -> None:
        if not self.raw:
            return
        text = bytes(self.raw).decode("gb18030" if self.chinese else "cp437")
        self.raw.clear()
        self.line.append(text)
        self.out.runs.append(Run(text, self.bold, self.width, self.height))

    def end_line(self) -> None:
        self.flush_text()
        self.out.lines.append("".join(self.line))
        self.out.aligns.append(self.align)
        self.line = []

    def run(self) -> Decoded:
        while self.pos < len(self.data):
            b = self.data[self.pos]
            self.pos += 1
            if b == LF:
                self.end_line()
            elif b in (ESC, GS, FS, DLE):
                self.flush_text()
                self.command(b)
            elif b == HT:
                self.raw += b" "
            elif b >= 0x20 or b == CR:
                if b != CR:  # CR alone does not print on most printers (LF prints)
                    self.raw.append(b)
            else:
                self.out.unknown.append(bytes([b]))
        self.flush_text()
        if self.line:
            self.end_line()
        return self.out

    def command(self, prefix: int) -> None:
        op = self.take(1)[0]
        if prefix == ESC:
            self.esc(op)
        elif prefix == GS:
            self.gs(op)
        elif prefix == FS:
            if op == ord("&"):
                self.chinese = True  # FS &: Chinese mode on
            elif op == ord("."):
                self.chinese = False  # FS .: Chinese mode off
            elif op in _FS_PARAMS:
                self.take(_FS_PARAMS[op])
            else:
                self.out.unknown.append(bytes([prefix, op]))
        elif op == 0x04:  # DLE EOT n: real-time status request
            self.out.status_queries.append(self.take(1)[0])
        elif op in (0x05, 0x14):  # DLE ENQ n (1 byte), DLE DC4 fn ... (assume fn m t: 3)
            self.take(1 if op == 0x05 else 3)
        else:
            self.out.unknown.append(bytes([prefix, op]))

    def esc(self, op: int) -> None:
        if op == ord("@"):  # ESC @: initialise; styles back to default
            self.bold, self.width, self.height, self.align = False, 1, 1, 0
        elif op == ord("E"):  # ESC E n: emphasis on when bit 0 of n is set
            self.bold = bool(self.take(1)[0] & 1)
        elif op == ord("!"):  # ESC ! n: bit 3 emphasis, bit 4 double height, bit 5 double width
            n = self.take(1)[0]
            self.bold = bool(n & 0x08)
            self.height = 2 if n & 0x10 else 1
            self.width = 2 if n & 0x20 else 1
        elif op == ord("a"):  # ESC a n: 0/48 left, 1/49 centre, 2/50 right
            self.align = self.take(1)[0] % 48
        elif op == ord("d"):  # ESC d n: print the buffer and feed n lines
            n = self.take(1)[0]
            self.end_line()
            self.out.lines.extend([""] * max(n - 1, 0))
            self.out.aligns.extend([self.align] * max(n - 1, 0))
        elif op == ord("*"):  # ESC * m nL nH d1..dk: bit image, k = n * (1 or 3 bytes/column)
            m, nl, nh = self.take(3)
            self.take((nl + 256 * nh) * (3 if m in (32, 33) else 1))
        elif op == ord("D"):  # ESC D n1 ... NUL: tab positions
            while self.take(1)[0] != 0:
                pass
        elif op == ord("&"):  # ESC & y c1 c2 [x d1..d(y*x)]...: user-defined characters
            y, c1, c2 = self.take(3)
            for _ in range(c2 - c1 + 1):
                self.take(y * self.take(1)[0])
        elif op == ord("(") or op == ord("c"):  # ESC ( fn pL pH ..., ESC c x n
            if op == ord("c"):
                self.take(2)
            else:
                self.take(1)
                pl, ph = self.take(2)
                self.take(pl + 256 * ph)
        elif op in _ESC_PARAMS:
            self.take(_ESC_PARAMS[op])
        else:
            self.out.unknown.append(bytes([ESC, op]))

    def gs(self, op: int) -> None:
        if op == ord("!"):  # GS ! n: width = high nibble + 1, height = low nibble + 1
            n = self.take(1)[0]
            self.width, self.height = (n >> 4) + 1, (n & 0x0F) + 1
        elif op == ord("V"):  # GS V m [n]: cut; m = 65, 66, 97, 98, 103, 104 take n
            m = self.take(1)[0]
            if m in (65, 66, 97, 98, 103, 104):
                self.take(1)
            self.out.cuts += 1
        elif op == ord("("):  # GS ( x pL pH d1..dk: k = pL + 256 pH
            fn_group = self.take(1)[0]
            pl, ph = self.take(2)
            params = self.take(pl + 256 * ph)
            if fn_group == ord("k"):
                self.two_d_code(params)
        elif op == ord("8"):  # GS 8 L p1 p2 p3 p4 ...: graphics with a 4-byte length
            self.take(1)
            p = self.take(4)
            self.take(int.from_bytes(p, "little"))
        elif op == ord("v"):  # GS v 0 m xL xH yL yH d1..dk: raster image, k = x * y
            _, _, xl, xh, yl, yh = self.take(6)
            self.take((xl + 256 * xh) * (yl + 256 * yh))
        elif op == ord("*"):  # GS * x y d1..d(x*y*8): downloaded bit image
            x, y = self.take(2)
            self.take(x * y * 8)
        elif op == ord("k"):  # GS k m ...: barcode, NUL-ended (m 0-6) or counted (m 65-79)
            m = self.take(1)[0]
            if m <= 6:
                while self.take(1)[0] != 0:
                    pass
            else:
                self.take(self.take(1)[0])
        elif op in _GS_PARAMS:
            self.take(_GS_PARAMS[op])
        else:
            self.out.unknown.append(bytes([GS, op]))

    def two_d_code(self, params: bytes) -> None:
        # GS ( k pL pH cn fn [m] d...: cn 49 = QR; fn 80 stores "m d1..dk" (m = 48),
        # fn 81 prints the stored symbol; fn 65/67/69 set model, module size, EC level.
        cn, fn = params[0], params[1]
        if cn == 49 and fn == 80:
            self.out.qr.append(params[3:].decode("utf-8"))
        elif cn == 49 and fn == 81:
            self.out.qr_printed += 1


def decode(data: bytes) -> Decoded:
    """Decode ESC/POS ``data``; ValueError if a command is cut off."""
    return _Decoder(bytes(data)).run()
