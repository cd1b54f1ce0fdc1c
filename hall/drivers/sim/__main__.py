"""Device simulators: ``python -m hall.drivers.sim {keypad,board,printer} ...``.

Each plays real devices on the far end of a port (a socat pty pair, a
``socket://`` or a real serial adapter) and prints what it decodes as JSON lines.
"""

from __future__ import annotations

import argparse
import logging
import sys

from hall.drivers.sim import board, keypad, printer

#: Simulator commands by name; each module has add_parser(subparsers) and run(args).
SIMULATORS = {"keypad": keypad, "board": board, "printer": printer}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one simulator."""
    parser = argparse.ArgumentParser(prog="python -m hall.drivers.sim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in SIMULATORS.values():
        module.add_parser(sub)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
