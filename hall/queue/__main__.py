"""Start the queue daemon: ``python -m hall.queue --config config.yaml``.

Also ``python -m hall.queue hash-pin`` to make a staff PIN hash for config.yaml;
``python -m hall.queue verify-ledger --config config.yaml [--data-dir DIR] [--against ID:HEX]``
to check the ratings ledger's hash and MAC chains (exit 1 and the first broken record if it
is broken; 2 without the key file) and ``python -m hall.queue ledger-head`` to print its
head for publishing (hall/queue/ratings/ledger_cli.py); ``python -m hall.queue rotate-key
data|ledger`` to add a new key to the key file, daemon stopped (hall/queue/core/keys_cli.py);
``python -m hall.queue report --period 2026Q4 --pdf out.pdf`` to print the 通报
(hall/queue/supervision/report_cli.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import os
import sys

from hall.config import hash_pin, setup_and_load
from hall.queue.core import clock

log = logging.getLogger("hall.queue")


#: New PINs: 6 to 12 digits (10**6 guesses, against the sign-in lockout). Hashes of
#: shorter PINs already in config.yaml still sign in (the demo warning says so).
MIN_PIN_DIGITS, MAX_PIN_DIGITS = 6, 12


def _hash_pin(argv: list[str]) -> int:
    pin = argv[0] if argv else getpass.getpass("PIN: ")
    if not (pin.isdigit() and MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS):
        got = f"{len(pin)} digits" if pin.isdigit() else "not only digits"
        sys.stderr.write(
            f"hash-pin: 工作人员密码须为{MIN_PIN_DIGITS}至{MAX_PIN_DIGITS}位数字 / "
            f"a staff PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits (got {got})\n"
        )
        return 2
    sys.stdout.write(hash_pin(pin) + "\n")
    return 0


def demo_warning(demo: list[str]) -> str:
    """The start-up warning about demo secrets (``HallConfig.demo_secrets()``)."""
    text = f"DEMO SECRETS IN USE ({', '.join(demo)}): change them before opening the hall"
    if any(name.startswith("staff ") for name in demo):
        text += (
            f"; the demo staff PIN 1234 has 4 digits: existing short PINs still sign in, but"
            f" new PINs need {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits (hash-pin refuses"
            f" shorter ones) / 演示密码1234只有4位，仍可登录，新密码须为{MIN_PIN_DIGITS}位以上"
        )
    return text


def _catalogue(path: str):  # returns a hall.catalogue.Catalogue or None
    """The matter catalogue submissions are checked against (None if there is no file)."""
    from pathlib import Path

    from hall.catalogue import load_catalogue

    if not Path(path).exists():
        log.warning("no matter catalogue at %s: submissions are not checked against it", path)
        return None
    return load_catalogue(path)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, check the config, and serve until stopped."""
    # Everything this process makes (database, WAL, images, key file, logs) is its
    # owner's only: applicant data and keys live there (docs/SECURITY.md).
    os.umask(0o077)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["hash-pin"]:
        return _hash_pin(argv[1:])
    if argv[:1] == ["rotate-key"]:
        from hall.queue.core import keys_cli

        return keys_cli.main(argv[1:])
    if argv[:1] == ["report"]:
        from hall.queue.supervision import report_cli

        return report_cli.main(argv[1:])
    if argv[:1] in (["verify-ledger"], ["ledger-head"]):
        from hall.queue.ratings import ledger_cli

        run = ledger_cli.verify_main if argv[0] == "verify-ledger" else ledger_cli.head_main
        return run(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m hall.queue", description=__doc__)
    parser.add_argument("--config", default="config.yaml", help="path of config.yaml")
    parser.add_argument("--host", help="bind address (default: api.host in the config)")
    parser.add_argument("--port", type=int, help="port (default: api.port in the config)")
    parser.add_argument("--data-dir", help="data directory (default: storage.data_dir)")
    parser.add_argument(
        "--device-port",
        action="append",
        default=[],
        metavar="BUS=URL",
        help="serial port for a device bus (keypad_bus, led_bus), overriding the config",
    )
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument(
        "--clock",
        default=os.environ.get(clock.ENV),
        metavar="ISO-INSTANT",
        help=f"start the daemon's clock at this instant, e.g. 2026-06-02T10:00:00+08:00 "
        f"(default: ${clock.ENV}, else the system clock)",
    )
    args = parser.parse_args(argv)
    config = setup_and_load("hall.queue", args.config, args.log_level)
    try:
        now = clock.parse(args.clock)
    except ValueError as exc:
        sys.stderr.write(f"hall.queue: refusing to start: --clock: {exc}\n")
        return 2
    if args.clock:
        log.warning("clock set: it read %s at start", args.clock)
    from hall.catalogue import CatalogueError

    try:
        catalogue = _catalogue(config.submissions.catalogue)
    except CatalogueError as exc:  # names the file, the matter and the field
        sys.stderr.write(f"hall.queue: refusing to start: {exc}\n")
        return 2
    if catalogue is not None:  # a department's matter must be one the catalogue knows
        from hall.config.departments import unknown_matters

        unknown = unknown_matters(config.departments, {m.code for m in catalogue.matters})
        if unknown:
            sys.stderr.write(
                f"hall.queue: refusing to start: {args.config}: {'; '.join(unknown)}\n"
            )
            return 2
    demo = config.demo_secrets()
    if demo:
        log.warning("%s", demo_warning(demo))
    shared = [t.name for t in config.api.tokens if t.role == "manager"]
    if shared:  # a bootstrap only: docs/SECURITY.md, "Manager accounts"
        log.warning(
            "shared manager token(s) %s configured: a bootstrap, recorded as manager:<name>"
            " and warned about at each use; managers sign in with their own id + PIN"
            " (config managers:, %d configured) / 共用管理令牌仅供初始化，请使用个人账号登录",
            ", ".join(shared),
            len(config.managers),
        )
    from hall.secrets.keyring import KeyFileError, Keyring, key_file_path

    try:
        Keyring.check(key_file_path(config, args.data_dir))
    except KeyFileError as exc:  # names the file and what is wrong with it
        sys.stderr.write(f"hall.queue: refusing to start: {exc}\n")
        return 2

    import uvicorn

    from hall.queue.web import transport
    from hall.queue.web.app import create_app
    from hall.queue.web.limits import server_options

    tls = config.api.tls
    if tls is not None:
        try:  # before anything listens: a bad file is one sentence, not a traceback
            for warning in transport.check_tls(tls, dt.datetime.fromtimestamp(now(), dt.UTC)):
                log.warning("%s", warning)
        except transport.TlsError as exc:
            sys.stderr.write(f"hall.queue: refusing to start: {exc}\n")
            return 2

    ports = {}
    for item in args.device_port:
        name, sep, url = item.partition("=")
        if not sep or name not in ("keypad_bus", "led_bus") or not url:
            sys.stderr.write(
                f"hall.queue: --device-port wants keypad_bus=URL or led_bus=URL, got {item!r}\n"
            )
            return 2
        ports[name] = url
    host = args.host or config.api.host
    port = args.port or config.api.port
    lan = transport.plain_lan_warning(host, tls)
    if lan:
        log.warning("%s", lan)
    app = create_app(config, args.data_dir, ports, catalogue, clock=now)
    url = f"{'https' if tls else 'http'}://{host}:{port}"
    docs = f", docs on {url}/docs" if config.api.docs else ""
    log.info("%s: API on %s/api/v1%s", config.hall.name, url, docs)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        # Event streams never end by themselves: do not wait long for them.
        timeout_graceful_shutdown=2,
        **server_options(config),  # limit_concurrency (api.limits.connections)
        **transport.tls_options(tls),  # api.tls: HTTPS with the hall CA's certificate
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
