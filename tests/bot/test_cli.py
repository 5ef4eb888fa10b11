"""`relais chat`: the terminal chat driven by a script on stdin, through the real Application."""

from __future__ import annotations

import io
import sys

from bot.cli import chat, main


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


def test_no_subcommand_without_a_token_seeds_and_opens_the_chat(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setattr(sys, "stdin", Script("help with internet\nRoubaix\n"))
    assert main(["--db", f"sqlite:///{tmp_path / 'relais.db'}"]) == 0
    captured = capsys.readouterr()
    assert "services into the empty database" in captured.err
    assert "What do you need?" in captured.out and "> Roubaix" in captured.out


def test_bot_without_a_token_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["--db", f"sqlite:///{tmp_path / 'relais.db'}", "bot"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


async def test_a_link_button_opens_its_link_and_sends_nothing(make_settings):
    out = io.StringIO()
    await chat(make_settings(), "en", Script("shower\nRoubaix\n1\n1\n"), out)
    text = out.getvalue()
    assert "(this button opens https://t.me/share/url?" in text  # the card's share button
    assert "Sorry" not in text


def test_a_bad_admin_id_in_the_environment_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("RELAIS_ADMIN_IDS", "@someone")
    monkeypatch.setattr(sys, "stdin", Script(""))
    assert main(["--db", f"sqlite:///{tmp_path / 'relais.db'}", "chat"]) == 2
    err = capsys.readouterr().err
    assert "RELAIS_ADMIN_IDS" in err and "Traceback" not in err and len(err.splitlines()) == 1
