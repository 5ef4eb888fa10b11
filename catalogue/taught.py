"""Phrases administrators teach the search (`/teach <phrase> = <category>`), in the database.

A taught phrase is read like a line of `data/synonyms/<lang>.json`: the search index of the
database is rebuilt with it (the table is one of those that bump `catalogue.version`), so it is
live without a restart. Teaching and its undo are audited (`AuditEntry`, entity "synonym"); an undone
phrase stays as a row with `active` False. The phrases travel with the catalogue:
`relais export --format synonyms` writes them, `relais import` reads such a file back.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from catalogue import taxonomy
from catalogue.models import AuditEntry, TaughtSynonym, utcnow
from catalogue.text import normalise

ENTITY = "synonym"
MAX_PHRASE = 80  # characters: a phrase, not a text
MAX_WORDS = 8
EXPORT_KEY = "relais_taught_synonyms"


class TeachError(ValueError):
    """A phrase or category that cannot be taught; the message says why (for the CLI)."""


def category_for(text: str) -> str | None:
    """A category key from what an admin typed: the key itself or a label in any language."""
    wanted = normalise(text)
    for category in taxonomy.all_categories():
        labels = {normalise(v) for v in category.labels.values()}
        if wanted == normalise(category.key) or wanted in labels:
            return category.key
    return None


def checked(lang: str, phrase: str, key: str) -> tuple[str, str, str]:
    """(lang, phrase, key) made tidy, or TeachError."""
    phrase = " ".join(phrase.split())
    if lang not in taxonomy.LANGUAGES:
        raise TeachError(f"unknown language {lang!r}")
    if taxonomy.get_category(key) is None:
        raise TeachError(f"unknown category {key!r}")
    words = normalise(phrase).split()
    if not words or len(phrase) > MAX_PHRASE or len(words) > MAX_WORDS:
        raise TeachError(f"a phrase has 1 to {MAX_WORDS} words and {MAX_PHRASE} characters at most")
    return lang, phrase, key


def _stored(session: Session, lang: str, phrase: str, key: str) -> TaughtSynonym | None:
    rows = session.exec(select(TaughtSynonym).where(TaughtSynonym.lang == lang,
                                                    TaughtSynonym.key == key))  # fmt: skip
    return next((s for s in rows if normalise(s.phrase) == normalise(phrase)), None)


def is_taught(session: Session, lang: str, phrase: str, key: str) -> bool:
    """Whether this phrase (whatever its case or accents) is taught and active."""
    stored = _stored(session, lang, phrase, key)
    return stored is not None and stored.active


def _state(synonym: TaughtSynonym) -> dict[str, Any]:
    return {"lang": synonym.lang, "phrase": synonym.phrase, "key": synonym.key,
            "active": synonym.active}  # fmt: skip


def teach(session: Session, *, lang: str, phrase: str, key: str,
          actor: str) -> tuple[TaughtSynonym, bool]:  # fmt: skip
    """Store a taught phrase (or make an undone identical one active again), audited; the
    bool says whether anything changed (False: it was taught already)."""
    lang, phrase, key = checked(lang, phrase, key)
    stored = _stored(session, lang, phrase, key)
    synonym = stored or TaughtSynonym(lang=lang, phrase=phrase, key=key, active=False)
    if synonym.active:
        return synonym, False
    before = _state(synonym) if stored else None
    synonym.active, synonym.changed_at = True, utcnow()
    session.add(synonym)
    session.flush()
    session.add(AuditEntry(actor=actor, action="teach", entity=ENTITY, entity_id=str(synonym.id),
                           before=before, after=_state(synonym)))  # fmt: skip
    return synonym, True


def last_change(session: Session, actor: str) -> AuditEntry | None:
    """`actor`'s latest change of any kind (service or synonym) that no undo took back yet."""
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.actor == actor)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    ).all()  # fmt: skip
    undone = {e.after.get("undoes") for e in entries if e.action == "undo" and e.after}
    return next((e for e in entries if e.action != "undo" and e.id not in undone), None)


def undo(session: Session, entry: AuditEntry, *, actor: str) -> TaughtSynonym | None:
    """Take back the teaching `entry` recorded (audited as an undo)."""
    synonym = session.get(TaughtSynonym, int(entry.entity_id))
    if synonym is None:
        return None
    before = _state(synonym)
    synonym.active = bool(entry.before and entry.before.get("active"))
    synonym.changed_at = utcnow()
    session.add(synonym)
    session.add(AuditEntry(actor=actor, action="undo", entity=ENTITY, entity_id=entry.entity_id,
                           before=before, after=_state(synonym) | {"undoes": entry.id}))  # fmt: skip
    return synonym


def active(session: Session) -> tuple[tuple[str, str, str], ...]:
    """(key, phrase, lang) of every active taught phrase, in a stable order."""
    rows = session.exec(select(TaughtSynonym).where(col(TaughtSynonym.active).is_(True))
                        .order_by(col(TaughtSynonym.id))).all()  # fmt: skip
    return tuple((s.key, s.phrase, s.lang) for s in rows)


def export(session: Session) -> dict[str, Any]:
    """The active taught phrases as a JSON-able object (`relais export --format synonyms`)."""
    return {EXPORT_KEY: [{"lang": lang, "phrase": phrase, "category": key}
                         for key, phrase, lang in active(session)]}  # fmt: skip


def read_export(data: Any) -> list[tuple[str, str, str]] | None:
    """(lang, phrase, key) of a synonyms export, None when `data` is not one; TeachError (with
    the item number) when an item is wrong, so that nothing is imported."""
    if not isinstance(data, dict) or EXPORT_KEY not in data:
        return None
    items = data[EXPORT_KEY]
    if not isinstance(items, list):
        raise TeachError(f"{EXPORT_KEY}: expected a list")
    rows = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("lang", "phrase", "category")
        ):
            raise TeachError(f"item {n}: expected lang, phrase and category as text")
        try:
            rows.append(checked(item["lang"], item["phrase"], item["category"]))
        except TeachError as exc:
            raise TeachError(f"item {n}: {exc}") from None
    return rows
