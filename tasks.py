#!/usr/bin/env python3
"""The two commands of Relais: `python3 tasks.py run` and `python3 tasks.py test`.

Both do every set-up step first (virtual environment, install from the lock, translations), so a
fresh machine with only Python 3.11 and pip needs nothing else. `test` runs the linter and the
format check (ruff), the type checker (mypy), then pytest. Extra arguments are passed on to `relais` and to pytest:
`python3 tasks.py run search "douche" --near Roubaix`, `python3 tasks.py test -k hours`.

`python3 tasks.py lock` rewrites requirements.lock after a change to pyproject.toml's
dependencies, keeping every other pin; `python3 tasks.py lock --upgrade` moves every pin to the
newest release allowed (a deliberate step: run the tests and commit the lock on its own).
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
LOCK = ROOT / "requirements.lock"
# pip-compile (pip-tools) writes the lock; it lives in a venv of its own, used only by `lock`.
LOCK_TOOLS = ROOT / ".venv-lock"
PIP_TOOLS = "pip-tools==7.7.0"
# What `test` runs before pytest, each whatever the others say: the linter, the formatter's
# check (`ruff format .` rewrites), and the type checker (strict on catalogue/, clean on bot/:
# pyproject.toml's [tool.mypy]).
CHECKS = (("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",))


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def ensure_environment() -> None:
    """Create the venv, install the project when pyproject.toml changed, compile translations."""
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing Relais and its locked dependencies …", flush=True)
        pip = (BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
        _run(*pip, "--require-hashes", "-r", LOCK)
        _run(*pip, "--no-deps", "-e", ".")
        STAMP.write_text(wanted)
    if any((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
        _run(BIN / "pybabel", "-q", "compile", "-d", "locales", "-D", "messages")


def write_lock(upgrade: bool) -> int:
    """Resolve pyproject.toml's dependencies (with the test extra) into hashed exact pins."""
    tools = LOCK_TOOLS / ("Scripts" if os.name == "nt" else "bin")
    if not (tools / "pip-compile").exists():
        venv.create(LOCK_TOOLS, with_pip=True)
        _run(tools / "python", "-m", "pip", "install", "--quiet", PIP_TOOLS)
    compile_ = [tools / "pip-compile", "--quiet", "--generate-hashes", "--allow-unsafe"]
    compile_ += ["--no-emit-index-url", "--no-emit-find-links", "--strip-extras"]
    compile_ += ["--extra", "test", "-o", LOCK, "pyproject.toml"]
    os.environ["CUSTOM_COMPILE_COMMAND"] = "python3 tasks.py lock"
    _run(*compile_, *(["--upgrade"] if upgrade else []))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["lock"]:
        return write_lock(upgrade="--upgrade" in argv[1:])
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "run":
        return subprocess.call([str(BIN / "relais"), *rest], cwd=ROOT)
    checks = [subprocess.call([str(BIN / tool), *args], cwd=ROOT) for tool, *args in CHECKS]
    tests = subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    return max(checks) or tests


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
