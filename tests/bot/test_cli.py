"""`relais chat`: the terminal chat driven by a script on stdin, through the real Application."""

from __future__ import annotations

import io

from bot.cli import chat


class Script(io.StringIO):
    def isatty(self) -> bool:
        return False


async def test_chat_reads_a_script_and_shows_numbered_buttons(make_settings):
    out = io.StringIO()
    await chat(make_settings(), "en", Script("shower\nRoubaix\n1\n"), out)
    text = out.getvalue()
    assert "What do you need?" in text
    assert "> Roubaix" in text and "[1]" in text
    assert "Who can come" in text  # "1" pressed the first result's button


async def test_chat_shares_a_typed_location(make_settings):
    out = io.StringIO()
    await chat(make_settings(), "en", Script("shower\n@50.6942,3.1746\n"), out)
    assert "I have your location" in out.getvalue()
