"""Catalogue subcommands of the `relais` command: import, export, services, search.

Each subcommand is a `cmd_*` function taking the parsed arguments and returning an exit code.
Expected failures raise `CliError`; `run` prints them as one line and exits with status 2.
Each imports what it needs when it runs, so `relais --help` starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogue import FORMATS
from catalogue.limits import no_constant
from catalogue.sources.cli import SyncUsageError, add_sync_command

if TYPE_CHECKING:  # imported when a command runs: `relais --help` stays quick
    from sqlalchemy import Engine


class CliError(Exception):
    """A user error: printed as one line, exit status 2, no traceback."""


Handler = Callable[[argparse.Namespace], int]
# Files this big show a progress bar even when stderr is not a terminal (logs).
LARGE_FILE_BYTES = 1_000_000


def add_catalogue_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the catalogue subcommands on a `relais` parser."""
    add_import_export_commands(sub)
    add_search_command(sub)
    add_sync_command(sub)
    p = sub.add_parser("services", help="list or show catalogue services")
    services = p.add_subparsers(dest="services_command", required=True)
    listing = services.add_parser("list", help="list services")
    listing.add_argument(
        "--status", default="active", choices=["active", "hidden", "deleted", "all"]
    )
    listing.set_defaults(handler=cmd_services_list)
    show = services.add_parser("show", help="show one service")
    show.add_argument("id")
    show.set_defaults(handler=cmd_services_show)


def add_import_export_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="import an HSDS JSON or CSV catalogue file (all or nothing)")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    p.set_defaults(handler=cmd_import)
    p = sub.add_parser(
        "export",
        help="export the catalogue as HSDS JSON or CSV, or the phrases "
        "taught with /teach (--format synonyms)",
    )
    p.add_argument("--format", choices=FORMATS, default=None, help="default: from the file name")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_export)


def _engine(args: argparse.Namespace) -> Engine:
    from catalogue.db import make_engine

    return make_engine(getattr(args, "db", None))


def cmd_import(args: argparse.Namespace) -> int:
    from catalogue.importer import ImportFormatError, import_file

    path: Path = args.file
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    progress = sys.stderr.isatty() or path.stat().st_size > LARGE_FILE_BYTES
    try:
        report = import_file(
            _engine(args), path, dry_run=args.dry_run, actor="cli", progress=progress
        )
    except ImportFormatError as exc:
        raise CliError(str(exc)) from None
    for line in report.problem_lines(report.warnings):
        print(f"relais: warning: {path.name}: {line}", file=sys.stderr)
    if not report.ok():
        print(f"relais: error: {path.name}: {report.summary()}", file=sys.stderr)
        for line in report.problem_lines():
            print(f"  {line}", file=sys.stderr)
        return 2
    if args.dry_run:
        for label, ids in (("create", report.created), ("update", report.updated)):
            for service_id in ids:
                print(f"would {label} {service_id}")
        if report.unchanged:
            print(f"would leave {len(report.unchanged)} unchanged")
    print(f"{path.name}: {report.summary()}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from catalogue.importer import export_file

    path: Path = args.file
    fmt = args.format or ("csv" if path.suffix.lower() == ".csv" else "hsds")
    if not path.parent.is_dir():
        raise CliError(f"no such directory: {path.parent}")
    count = export_file(_engine(args), path, fmt)
    print(f"{count} {'phrases' if fmt == 'synonyms' else 'services'} written to {path} ({fmt})")
    return 0


def cmd_services_list(args: argparse.Namespace) -> int:
    from catalogue.db import session_scope
    from catalogue.services import list_services

    status = None if args.status == "all" else args.status
    with session_scope(_engine(args)) as session:
        for service in list_services(session, status=status):
            places = ", ".join(dict.fromkeys(loc.city or "?" for loc in service.locations))
            print(f"{service.id}\t{service.name}\t{places or '-'}\t{service.status}")
    return 0


def cmd_services_show(args: argparse.Namespace) -> int:
    from catalogue.db import session_scope
    from catalogue.services import get_service, service_snapshot

    with session_scope(_engine(args)) as session:
        service = get_service(session, args.id, include_deleted=True)
        if service is None:
            raise CliError(f"no service with id {args.id!r}")
        snapshot = service_snapshot(service)
    print(json.dumps(snapshot, ensure_ascii=False, indent=2))
    return 0


def add_search_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("search", help="search the catalogue as a resident would")
    p.add_argument("text", nargs="?", default="", help="what the person needs, in any language")
    p.add_argument("--near", help="commune, postcode, neighbourhood or 'lat,lon'")
    p.add_argument("--lang", default="fr", help="interface language (default fr)")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--open-now", action="store_true", help="only services open now")
    p.add_argument("--free", action="store_true", help="only free services")
    p.add_argument("--json", action="store_true", help="JSON output for machines")
    p.add_argument("--batch", type=Path, help="JSONL file of queries (id, text, lang, near)")
    p.add_argument(
        "--explain",
        action="store_true",
        help="also say how each word was read (need, place, audience, unknown)",
    )
    p.set_defaults(handler=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    from catalogue.search import current_index
    from catalogue.search_output import explain_table, search_json, search_table

    if args.batch is None and not args.text.strip():
        raise CliError("nothing to search: give a TEXT or --batch FILE")
    if args.batch is not None and not args.batch.is_file():
        raise CliError(f"no such file: {args.batch}")
    index = current_index(_engine(args))
    if args.batch is not None:
        failed = 0
        for n, line in enumerate(args.batch.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row, problem = batch_row(line)
            if row is None:
                failed += 1  # one bad line is said with its number; the others still run
                print(f"relais: error: {args.batch}:{n}: {problem}", file=sys.stderr)
                continue
            print(json.dumps(search_json(index, row, limit=args.limit), ensure_ascii=False))
        return 2 if failed else 0
    row = {"text": args.text, "lang": args.lang, "near": args.near}
    filters = {"open_now": args.open_now, "free": args.free}
    if args.json:
        found = search_json(index, row, limit=args.limit, explain=args.explain, **filters)
        print(json.dumps(found, ensure_ascii=False))
    else:
        if args.explain:
            print(explain_table(index, row, **filters))
        print(search_table(index, row, limit=args.limit, **filters))
    return 0


def batch_row(line: str) -> tuple[dict[str, Any] | None, str]:
    """One query of a --batch file, or None and what is wrong with the line."""
    try:
        row = json.loads(line, parse_constant=no_constant)
    except (ValueError, RecursionError) as exc:
        return None, f"not JSON ({str(exc)[:120]})"
    if not isinstance(row, dict):
        return None, 'expected an object like {"id": 1, "text": "douche", "near": "Roubaix"}'
    if not isinstance(row.get("text", ""), str | None):
        return None, "text: expected text"
    near = row.get("near")
    if isinstance(near, dict) and not all(
        type(near.get(k)) in (int, float) and math.isfinite(near[k]) for k in ("lat", "lon")
    ):
        return None, 'near: expected {"lat": number, "lon": number}'
    return row, ""


def run(handler: Handler, args: argparse.Namespace) -> int:
    """Run a subcommand, turning expected errors into one line on stderr and status 2."""
    try:
        return handler(args)
    except (CliError, FileNotFoundError, SyncUsageError) as exc:
        print(f"relais: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from catalogue.db import DatabaseError  # loaded by then: every command opens one

        if not isinstance(exc, DatabaseError):
            raise
        print(f"relais: error: {exc}", file=sys.stderr)
        return 2
