"""``python -m hall.queue rotate-key data|ledger``: add a new key to the key file.

Run it with the daemon stopped (the daemon holds its keys in memory and would
go on sealing with the old one until restarted). New data is sealed, and new
ledger rows MACed, with the new key; every old key stays in the file so what it
sealed still opens (docs/SECURITY.md, "Rotating keys, in order"). The
``fingerprint`` key is never rotated. The command never makes a key file: a
missing one is an error (exit 2), as a fresh file would seal nothing old.
"""

from __future__ import annotations

import argparse
import sys

from hall.config import setup_and_load
from hall.secrets.keyring import KeyFileError, Keyring, key_file_path

ROTATABLE = ("data", "ledger")


def main(argv: list[str]) -> int:
    """Rotate one purpose's key; print the new key's id. 0 done, 2 refused."""
    parser = argparse.ArgumentParser(prog="python -m hall.queue rotate-key")
    parser.add_argument("purpose", choices=ROTATABLE, help="which key: data or ledger")
    parser.add_argument("--config", default="config.yaml", help="path of config.yaml")
    parser.add_argument("--data-dir", help="data directory (default: storage.data_dir)")
    args = parser.parse_args(argv)
    config = setup_and_load("hall.queue rotate-key", args.config, "WARNING")
    path = key_file_path(config, args.data_dir)
    if not path.exists():
        sys.stderr.write(
            f"hall.queue rotate-key: 密钥文件不存在 / no key file at {path}"
            " (the daemon makes it at its first start)\n"
        )
        return 2
    try:
        key = Keyring.open(path).rotate(args.purpose)
    except KeyFileError as exc:
        sys.stderr.write(f"hall.queue rotate-key: {exc}\n")
        return 2
    print(f"{args.purpose}: new key {key.id} in {path}; back the key file up now")
    return 0
