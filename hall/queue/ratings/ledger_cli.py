"""The ledger's commands: ``verify-ledger [--against HEAD]`` and ``ledger-head``.

``python -m hall.queue verify-ledger --config config.yaml [--data-dir DIR] [--against ID:HEX]``
checks the hash and MAC chains (exit 0 ok, 1 broken, 2 cannot check: no key file, a bad
``--against``); it needs the key file and never makes one (a new key would verify nothing).
``python -m hall.queue ledger-head`` prints the head as published, ``<id>:<mac>`` (one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from hall.config import setup_and_load
from hall.queue.core.schema import open_engine


def _open(prog: str, argv: list[str], extra: Callable[[argparse.ArgumentParser], None] | None):
    """Parse the common options; the config, the parsed arguments and the database's URL."""
    from hall.queue.core.schema import sqlite_url

    parser = argparse.ArgumentParser(prog=f"python -m hall.queue {prog}")
    parser.add_argument("--config", default="config.yaml", help="path of config.yaml")
    parser.add_argument("--data-dir", help="data directory (default: storage.data_dir)")
    if extra:
        extra(parser)
    args = parser.parse_args(argv)
    config = setup_and_load(f"hall.queue {prog}", args.config, "WARNING")
    return config, args, config.storage.url or sqlite_url(args.data_dir or config.storage.data_dir)


def _fail(prog: str, message: str) -> int:
    sys.stderr.write(f"hall.queue {prog}: {message}\n")
    return 2


def verify_main(argv: list[str]) -> int:
    """``verify-ledger``: print the report as JSON; 0 ok, 1 broken, 2 cannot check."""
    from hall.queue.ratings import anchor, ledger
    from hall.secrets.keyring import KeyFileError, Keyring, key_file_path

    def options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--against",
            metavar="ID:HEX",
            help="a head published before (ledger-head, the export, the upstream records):"
            f" row ID must still have that MAC or hash (at least {anchor.MIN_PREFIX} hex digits)",
        )

    config, args, url = _open("verify-ledger", argv, options)
    against: tuple[int, str] | None = None
    if args.against is not None:
        try:
            against = anchor.parse_against(args.against)
        except ValueError as exc:
            return _fail("verify-ledger", str(exc))
    path = key_file_path(config, args.data_dir)
    if not path.exists():  # Keyring.open would make one, and new keys verify nothing
        return _fail(
            "verify-ledger",
            f"密钥文件 {path} 不存在，无法校验台账（请从备份恢复） / key file {path} is absent:"
            " the ledger's MACs cannot be checked without it (restore it from the backup)",
        )
    try:
        ring = Keyring.open(path)
    except KeyFileError as exc:
        return _fail("verify-ledger", str(exc))
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            report = ledger.verify(conn, ring)
            if against is not None:
                report = anchor.check_against(conn, report, *against)
    finally:
        engine.dispose()
    sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    return 0 if report.ok else 1


def head_main(argv: list[str]) -> int:
    """``ledger-head``: print ``<id>:<mac>`` of the last record (exit 1 while the ledger is empty)."""
    from hall.queue.ratings import anchor

    _config, _args, url = _open("ledger-head", argv, None)
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            found: Any = anchor.head(conn)
    finally:
        engine.dispose()
    if found is None:
        sys.stderr.write("hall.queue ledger-head: 台账为空 / the ledger is empty\n")
        return 1
    sys.stdout.write(found.published + "\n")
    return 0
