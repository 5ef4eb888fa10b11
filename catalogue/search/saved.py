"""The index saved to disk, so that a new process loads it instead of building it.

A process that builds the index of a catalogue writes it to a cache directory: next to a SQLite
file (`relais.db` -> `relais.db.index/`), else `$RELAIS_INDEX_CACHE` or the user's cache
directory (`$XDG_CACHE_HOME/relais/index`, one subdirectory per database URL). A file is named
by its key: the catalogue version row and a fingerprint of the catalogue (a copied or restored
SQLite file shares version numbers; row counts of every catalogue table, the services' last id
and last change tell them apart), and the code that builds the index (catalogue/'s sources and
data files, Python and numpy versions). Any other file there is an old one and is removed.

Pickle, not .npz and JSON: the index is a graph of numpy arrays, dicts, vocabularies and
shared row objects, which a hand-made format would have to follow field by field. Loading a
pickle runs code, so a file is read only from that directory, only when the directory and the
file belong to this user and nobody else may write them; files are written under a temporary
name then renamed, and a file that cannot be read is ignored (the index is built again).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select
from sqlmodel import col

from catalogue import version
from catalogue.models import CatalogueVersion, Service, table_of

ENV = "RELAIS_INDEX_CACHE"
FORMAT = 1  # the payload's layout: raised when `save`'s tuple changes
_CODE = Path(__file__).resolve().parents[1]  # catalogue/: the sources and data of the index


def directory(engine: Engine) -> Path | None:
    """Where the engine's index is saved (None for an in-memory SQLite database)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        name = url.database or ""
        if name in ("", ":memory:") or url.query.get("mode") == "memory":
            return None
        path = Path(name).resolve()
        return path.with_name(path.name + ".index")
    configured = os.environ.get(ENV)
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    root = Path(configured) if configured else Path(xdg) / "relais" / "index"
    database = url.render_as_string(hide_password=True).encode()
    return root / hashlib.sha256(database).hexdigest()[:16]


def key(engine: Engine) -> str:
    """The catalogue's version and fingerprint, and the code's: what a saved index must match."""
    services = table_of(Service)
    counts = [select(func.count()).select_from(table_of(m)).scalar_subquery()
              for m in version.MODELS]  # fmt: skip
    fingerprint = select(
        select(col(CatalogueVersion.version)).where(col(CatalogueVersion.id) == 1)
        .scalar_subquery(),
        select(func.max(services.c.id)).scalar_subquery(),
        select(func.max(services.c.updated_at)).scalar_subquery(),
        *counts,
    )  # fmt: skip
    with engine.connect() as connection:
        row = connection.execute(fingerprint).one()
    return hashlib.sha256(f"{tuple(row)!r} {_code()}".encode()).hexdigest()[:32]


@cache
def _code() -> str:
    """A hash of what builds the index: a change to any of it makes saved indexes old."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version} {np.__version__}".encode())
    for path in sorted(_CODE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(_CODE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load(folder: Path, name: str) -> Any | None:
    """The payload saved under `name`, or None (absent, unreadable, or not ours alone)."""
    try:
        if not _ours(os.stat(folder)):
            return None
        fd = os.open(folder / f"{name}.pickle", os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        if not _ours(os.fstat(fd)):
            return None
        collecting = gc.isenabled()
        gc.disable()  # the collector would run over and over while the objects are made
        try:
            saved = pickle.load(file)
        except Exception:
            return None
        finally:
            if collecting:
                gc.enable()
    if not (isinstance(saved, tuple) and len(saved) == 2 and saved[0] == name):
        return None
    return saved[1]


def save(folder: Path, name: str, payload: Any) -> None:
    """Write `payload` under `name` (atomically) and remove the folder's other files."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _ours(os.stat(folder)):
            return
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                pickle.dump((name, payload), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / f"{name}.pickle")
        except BaseException:
            os.unlink(temporary)
            raise
        for old in folder.glob("*.pickle"):
            if old.name != f"{name}.pickle":
                old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only or full disk: the next process builds the index again


def _ours(status: os.stat_result) -> bool:
    """Owned by this user, writable by nobody else."""
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
