"""Ticket printer (取号小票): ESC/POS over python-escpos, Chinese text in GB18030.

The driver prints what it is given, a layout of :class:`Element` items; what a
ticket says (number, service, wait ...) is ``hall.kiosk.receipts``, what a
notice says ``hall.kiosk.notices`` (a case's notices: ``hall.queue.cases.notices``).

* :mod:`~hall.drivers.printer.encoding`: layout to ESC/POS bytes, status bytes to flags;
* :mod:`~hall.drivers.printer.links`: one connection class per config ``type``
  (network, serial, usb, file, sim);
* :mod:`~hall.drivers.printer.printer`: :class:`TicketPrinter` (status before
  every print, reconnects, health) and :func:`open_printer`;
* :mod:`~hall.drivers.printer.notice`: a case's notice on the roll, wrapped to the paper
  (``TicketPrinter.print_notice`` prints one, or its JSON).

The names below are the driver's public face; import them from here.
"""

from hall.drivers.printer.encoding import (
    FS_CHINESE_OFF,
    FS_CHINESE_ON,
    PROFILE,
    Element,
    chinese_text,
    parse_status,
    render_elements,
)
from hall.drivers.printer.links import CONNECTIONS, can_read_back
from hall.drivers.printer.notice import notice_bytes, notice_elements, notice_from_json
from hall.drivers.printer.printer import (
    UNKNOWN_DETAIL,
    PrinterHealth,
    TicketPrinter,
    open_printer,
)

__all__ = [
    "CONNECTIONS",
    "FS_CHINESE_OFF",
    "FS_CHINESE_ON",
    "PROFILE",
    "UNKNOWN_DETAIL",
    "Element",
    "PrinterHealth",
    "TicketPrinter",
    "can_read_back",
    "chinese_text",
    "notice_bytes",
    "notice_elements",
    "notice_from_json",
    "open_printer",
    "parse_status",
    "render_elements",
]
