"""Catalogue subcommands of the `relais` command: import, export, services, search.

Each subcommand is a `cmd_*` function taking the parsed arguments and returning an exit code.
Expected failures raise `CliError`; `run` prints them as one line and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from catalogue.db import DatabaseError


class CliError(Exception):
    """A user error: printed as one line, exit status 2, no traceback."""


Handler = Callable[[argparse.Namespace], int]


def add_catalogue_commands(sub: argparse._SubParsersAction) -> None:
    """Register the catalogue subcommands on a `relais` parser."""
    p = sub.add_parser("services", help="list or show catalogue services")
    services = p.add_subparsers(dest="services_command", required=True)
    services.add_parser("list", help="list services").set_defaults(handler=cmd_services_list)
    show = services.add_parser("show", help="show one service")
    show.add_argument("id")
    show.set_defaults(handler=cmd_services_show)


def cmd_services_list(args: argparse.Namespace) -> int:
    raise CliError("not implemented yet")


def cmd_services_show(args: argparse.Namespace) -> int:
    raise CliError("not implemented yet")


def run(handler: Handler, args: argparse.Namespace) -> int:
    """Run a subcommand, turning expected errors into one line on stderr and status 2."""
    try:
        return handler(args)
    except (CliError, DatabaseError, FileNotFoundError) as exc:
        print(f"relais: error: {exc}", file=sys.stderr)
        return 2
