"""Import speed and memory: `relais import` of the synthetic CSV sheets into a new SQLite file.

    flock /tmp/relais-bench.lock .venv/bin/python benchmarks/bench_import.py        # 10k, 50k, 100k
    flock /tmp/relais-bench.lock .venv/bin/python benchmarks/bench_import.py --sizes 10000

Each run is the real command in its own process (parse, check, compare with the database, write
in one transaction): wall time from start to exit, and the process's peak resident memory. The
same file is then imported again (everything unchanged: read, check and compare only). The
sheets are benchmarks/synthetic.py's, one row per service, cached in benchmarks/out/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic


def run(*args: str) -> tuple[float, float]:
    """(seconds, peak resident MB) of one `relais` command."""
    started = time.perf_counter()
    process = subprocess.Popen([str(synthetic.RELAIS), *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"relais {' '.join(args)} failed")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    args = parser.parse_args()
    print(f"{'rows':>7} {'import s':>9} {'peak MB':>8} {'rows/s':>7} {'again s':>8} {'peak MB':>8}")
    for size in args.sizes:
        sheet = synthetic.sheet(size)
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite:///{Path(tmp) / 'relais.db'}"
            first, first_mb = run("--db", db, "import", str(sheet))
            again, again_mb = run("--db", db, "import", str(sheet))
        print(
            f"{size:>7} {first:>9.1f} {first_mb:>8.0f} {size / first:>7.0f} {again:>8.1f} "
            f"{again_mb:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
