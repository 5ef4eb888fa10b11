"""/teach end to end: a phrase taught by an admin is read at once, audited, undone by /undo; the
words residents used that the search did not understand reach /stats once five people used them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.transport import LocalUser
from catalogue.models import AuditEntry
from catalogue.search import Query, search_services
from tests.bot.test_admin import texts

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")
WORD = "zorglubette"


def reads(kit, text):
    return search_services(kit.engine, Query(text=text, lang="fr")).categories


async def test_a_taught_phrase_is_read_at_once_and_undo_takes_it_back(kit):
    assert reads(kit, WORD) == ()
    reply = texts(await kit.admin.send(f"/teach fr {WORD} = Douche"))[0]  # a label works too
    assert "Taught" in reply and WORD in reply
    assert "shower" in reads(kit, WORD)
    with Session(kit.engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "synonym")).one()
    assert entry.action == "teach" and entry.after["phrase"] == WORD
    assert "Undone" in texts(await kit.admin.send("/undo"))[0]
    assert reads(kit, WORD) == ()


async def test_teach_in_another_language_and_wrong_requests(kit):
    assert "Taught" in texts(await kit.admin.send("/teach uk сплю в машині = overnight_stop"))[0]
    assert (
        "overnight_stop"
        in search_services(kit.engine, Query(text="сплю в машині", lang="uk")).categories
    )
    assert "No such category" in texts(await kit.admin.send("/teach fr truc = bitcoin"))[0]
    assert "Usage" in texts(await kit.admin.send("/teach"))[0]
    assert "Usage" in texts(await kit.admin.send("/teach sans signe égal"))[0]
    assert "/teach" in texts(await kit.admin.send("/admin"))[0]


async def test_words_not_understood_reach_stats_once_five_people_used_them(kit):
    for n in range(5):
        resident = LocalUser(kit.app, kit.request, user_id=9000 + n, language_code="fr")
        await resident.send(f"{WORD} douche")
        await kit.app.persistence.written()  # the write-out in flight, if any, is done
        if n == 3:
            assert WORD not in texts(await kit.admin.send("/stats"))[0]
    assert f"{WORD}: 5" in texts(await kit.admin.send("/stats"))[0]
