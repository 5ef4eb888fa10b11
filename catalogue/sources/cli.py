"""`relais sync data-inclusion`: load the MEL's services from data·inclusion's open data."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the rest is imported when a command runs: `relais --help` stays quick
    from sqlalchemy import Engine


class SyncUsageError(Exception):
    """Wrong arguments or an unreadable source: one line, status 2."""


def add_sync_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sync", help="sync the catalogue with an open-data source")
    sources = p.add_subparsers(dest="source", required=True)
    di = sources.add_parser(
        "data-inclusion",
        help="services of the MEL from data·inclusion (weekly export, files, or the API when "
        "RELAIS_DATA_INCLUSION_TOKEN is set)",
    )
    di.add_argument("--services", type=Path, help="services.json as published (a JSON array)")
    di.add_argument("--structures", type=Path, help="structures.json as published")
    di.add_argument(
        "--dry-run", action="store_true", help="report what would change, write nothing"
    )
    di.set_defaults(handler=cmd_sync_data_inclusion)


def cmd_sync_data_inclusion(args: argparse.Namespace) -> int:
    from catalogue.db import make_engine
    from catalogue.sources import data_inclusion as di
    from catalogue.sources.sync import sync

    files = (args.services, args.structures)
    if any(files) and not all(files):
        raise SyncUsageError("give both --services FILE and --structures FILE, or neither")
    for path in filter(None, files):
        if not path.is_file():
            raise SyncUsageError(f"no such file: {path}")
    engine = make_engine(getattr(args, "db", None))
    progress = sys.stderr.isatty()
    with di.temporary_folder() as folder:
        try:
            reader = di.FileReader(*files) if all(files) else di.default_reader(Path(folder))
            report = sync(engine, reader, dry_run=args.dry_run, progress=progress)
        except di.SourceError as exc:
            raise SyncUsageError(str(exc)) from None
    for line in report.lines():
        print(line)
    return 0


def only_seed(engine: Engine) -> bool:
    from sqlmodel import select

    from catalogue.db import session_scope
    from catalogue.models import AuditEntry

    """Whether nobody but the seed has ever written to the catalogue (no sync, import or edit)."""
    with session_scope(engine) as session:
        other = select(AuditEntry.id).where(AuditEntry.actor != "seed").limit(1)
        return session.exec(other).first() is None


def reachable(host: str = "www.data.gouv.fr", port: int = 443, timeout: float = 2.0) -> bool:
    """Whether data·inclusion's files can be fetched (a TCP connection, nothing sent)."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def offer_sync(engine: Engine, *, ask: Callable[[str], str] = input,
               online: Callable[[], bool] = reachable) -> bool:  # fmt: skip
    """At start-up in a terminal: when the catalogue holds only the seed and the network is
    there, offer to load the MEL's services from data·inclusion. Offline, say nothing: the
    seed catalogue works as before. Returns whether a sync ran."""
    if not only_seed(engine) or not online():
        return False
    answer = ask(
        "The catalogue holds only the seed programmes. Load the real services of the "
        "Lille metropolis from data·inclusion now (open data, a few minutes)? [y/N] "
    )
    if answer.strip().lower() not in ("y", "yes", "o", "oui"):
        print("Later: relais sync data-inclusion", file=sys.stderr)
        return False
    from catalogue.sources import data_inclusion as di
    from catalogue.sources.sync import sync

    with di.temporary_folder() as folder:
        try:
            report = sync(engine, di.default_reader(Path(folder)), progress=sys.stderr.isatty())
        except di.SourceError as exc:
            print(
                f"relais: data·inclusion could not be read ({exc}); the seed stays.",
                file=sys.stderr,
            )
            return False
    print(report.summary(), file=sys.stderr)
    return True
