"""What a tester met (issue 16, second round), end to end through the real Application: the
list line's access in the service's own words, ..."""

from __future__ import annotations

from tests.bot.conftest import sent


def line_of(text: str, name: str) -> str:
    """The list entry (its lines up to the next entry) whose title holds `name`."""
    entry = text[text.index(name):]
    return entry.split("<b>", 1)[0]


async def test_the_list_line_says_the_access_in_the_services_own_words(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    text = sent(await user.send("hébergement d'urgence famille à Lille"))[-1].text
    assert "Sur orientation du 115 ou du SIAO" in line_of(text, "Les Hirondelles")
    assert "travailleur social" not in text
    user = bot.user(lang="ar", user_id=1002)
    await user.send("/start")
    await user.send("ليل")
    text = sent(await user.press("c:emergency_accommodation"))[-1].text
    assert "بالتوجيه فقط" in line_of(text, "Le Rempart")  # "on referral only", no one named
    assert "مرشد اجتماعي" not in text
