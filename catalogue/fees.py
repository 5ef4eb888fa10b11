"""Whether a service is free: the one rule import, the admin's /edit and search all follow.

A resident who picks *Free* must be able to go without paying. So a fees text is free when it
starts by saying so ("Gratuit", "Gratuit, 2 fois par semaine": a digit that is not an amount is
no price) and names no price: an amount ("1 € le repas, gratuit sur bon du CCAS") or a fee word
("Gratuit, adhésion annuelle") makes it not free. A condition stays in the text the card shows
beside "free" ("Gratuit sans couverture maladie ; sinon tiers payant": no one pays at the door).
A text that does not start with free ("participation libre") leaves it unknown. The phrases are
in `data/derivation.json`, matched on whole words after `normalise`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from catalogue.text import fold, normalise

_AMOUNT = re.compile(r"\d\s*(?:€|eur\b|euros?\b)|€\s*\d")


@cache
def _rules() -> dict[str, list[str]]:
    text = resources.files("catalogue").joinpath("data/derivation.json").read_text("utf-8")
    rules: dict[str, list[str]] = json.loads(text)["free"]
    return {
        kind: [normalise(p) if normalise(p) else p for p in phrases]
        for kind, phrases in rules.items()
    }


def _says(words: str, folded: str, phrases: list[str]) -> bool:
    """A phrase as whole words, or a sign ("€") anywhere in the text."""
    return any(f" {p} " in f" {words} " if p.strip(" €") else p in folded for p in phrases)


def is_free(fees: str | None) -> bool | None:
    """True when the (French) fees text starts by saying free and names no price, False when it
    names a price, else None (nothing plain said)."""
    if not fees or not fees.strip():
        return None
    folded, words, rules = fold(fees), normalise(fees), _rules()
    if _AMOUNT.search(folded) or _says(words, folded, rules["price"]):
        return False
    return True if any(f"{words} ".startswith(f"{p} ") for p in rules["starts_with"]) else None


def settle_free(stated: bool | None, fees: str | None) -> bool | None:
    """The `free` stored for a service: what its fees text says when it says something (a
    sheet's "free: yes" beside "adhésion 5 €" is not free), else what the source stated."""
    read = is_free(fees)
    return stated if read is None else read
