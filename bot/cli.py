"""The `relais` command. Without a subcommand it runs the main job: the Telegram bot when
TELEGRAM_BOT_TOKEN is set, else a chat in the terminal on the embedded catalogue."""

from __future__ import annotations

import argparse
import sys

from catalogue.cli import add_catalogue_commands, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relais", description=__doc__)
    parser.add_argument("--db", help="database URL (default: RELAIS_DATABASE_URL or SQLite file)")
    sub = parser.add_subparsers(dest="command")
    add_catalogue_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return run(handler, args)


if __name__ == "__main__":
    sys.exit(main())
