#!/usr/bin/env python3
"""The two commands of Relais: `python3 tasks.py run` and `python3 tasks.py test`.

Both do every set-up step first (virtual environment, install, translations), so a fresh
machine with only Python 3.11 and pip needs nothing else. Extra arguments are passed on:
`python3 tasks.py run search "douche" --near Roubaix`, `python3 tasks.py test -k hours`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".relais-installed"


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def ensure_environment() -> None:
    """Create the venv, install the project when pyproject.toml changed, compile translations."""
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing Relais and its dependencies …", flush=True)
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
        STAMP.write_text(wanted)
    if any((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
        _run(BIN / "pybabel", "-q", "compile", "-d", "locales", "-D", "messages")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "run":
        return subprocess.call([str(BIN / "relais"), *rest], cwd=ROOT)
    lint = subprocess.call([str(BIN / "ruff"), "check", "."], cwd=ROOT)
    tests = subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    return lint or tests


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
