"""National emergency numbers and helplines, shown first when a danger is read.

A person writing "my husband hits me" or "I want to die" needs the national lines at once,
whatever local services exist. The lines are data (`data/emergency_lines.json`: number, labels
in nine languages, hours, source), so an administrator can review them without reading code;
which danger calls which line is `catalogue.danger` (`data/danger/kinds.json`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType

from catalogue.taxonomy import DATA

LINES_FILE: Path = DATA / "emergency_lines.json"
ROUND_THE_CLOCK = "24/7"  # the `hours` value of a line that never closes


@dataclass(frozen=True)
class EmergencyLine:
    id: str
    number: str  # digits only, dialled as written
    labels: Mapping[str, str]  # lang -> short label
    free: bool
    hours: str | None  # None = not known for certain
    source: str
    verified_on: date | None

    @property
    def round_the_clock(self) -> bool:
        return self.hours == ROUND_THE_CLOCK


@cache
def all_lines() -> tuple[EmergencyLine, ...]:
    """Every line, in the file's order (that of footers listing them all)."""
    raw = json.loads(LINES_FILE.read_text(encoding="utf-8"))["lines"]
    return tuple(
        EmergencyLine(
            id=entry["id"],
            number=entry["number"],
            labels=MappingProxyType(dict(entry["labels"])),
            free=bool(entry.get("free", False)),
            hours=entry.get("hours"),
            source=entry["source"],
            verified_on=date.fromisoformat(entry["verified_on"])
            if entry.get("verified_on")
            else None,
        )
        for entry in raw
    )


def label(line: EmergencyLine, lang: str) -> str:
    """The line's label in `lang`, else French (the file has all nine languages)."""
    return line.labels.get(lang) or line.labels["fr"]
