"""The `relais` command. Without a subcommand it runs the main job: the Telegram bot when
TELEGRAM_BOT_TOKEN is set, else a chat in the terminal on the embedded catalogue."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from catalogue.cli import CliError, add_catalogue_commands, run

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.transport import Button, Call, LocalUser

CHAT_USER_ID = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relais", description=__doc__)
    parser.add_argument("--db", help="database URL (default: RELAIS_DATABASE_URL or SQLite file)")
    sub = parser.add_subparsers(dest="command")
    add_catalogue_commands(sub)
    chat = sub.add_parser("chat", help="talk to the bot in this terminal (no network)")
    chat.add_argument("--lang", help="your Telegram language (default: from $LANG)")
    chat.add_argument(
        "--new",
        action="store_true",
        help="start again with /start instead of continuing where you were",
    )
    chat.add_argument(
        "--files",
        type=Path,
        help="folder for the files the bot sends (default: $RELAIS_HOME/chat-files)",
    )
    chat.set_defaults(handler=cmd_chat)
    bot = sub.add_parser("bot", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    bot.add_argument(
        "--webhook",
        action="store_true",
        help="serve a webhook (RELAIS_WEBHOOK_URL) instead of long polling",
    )
    bot.set_defaults(handler=cmd_bot)
    serve = sub.add_parser("serve", help="serve the read-only HSDS API under /hsds "
                           "(beside the webhook when TELEGRAM_BOT_TOKEN and RELAIS_WEBHOOK_URL "
                           "are set)")  # fmt: skip
    serve.set_defaults(handler=cmd_serve)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    """Settings, with the catalogue seeded into an empty database first."""
    from bot.config import Settings
    from catalogue import importer
    from catalogue.db import make_engine
    from catalogue.sources.cli import offer_sync

    try:
        settings = Settings.from_env(db=args.db)
    except ValueError as exc:  # a number expected in the environment
        raise CliError(
            f"bad setting in the environment ({exc}): RELAIS_ADMIN_IDS takes "
            "numeric Telegram user ids separated by commas; RELAIS_PORT, "
            "RELAIS_STALE_MONTHS and RELAIS_FLOOD_LIMIT take numbers"
        ) from exc
    engine = make_engine(settings.database_url)
    loaded = importer.ensure_seeded(engine)
    if loaded:
        print(f"Loaded {loaded} services into the empty database.", file=sys.stderr)
    if sys.stdin.isatty():
        offer_sync(engine)
    engine.dispose()
    return settings


def cmd_bot(args: argparse.Namespace) -> int:
    import asyncio
    import contextlib
    import logging

    from telegram import Update

    from bot.app import build_application  # bot code loads only for the bot commands

    settings = _settings(args)
    if not settings.token:
        raise CliError("TELEGRAM_BOT_TOKEN is not set")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll otherwise
    webhook = getattr(args, "webhook", False) or bool(settings.webhook_url)
    application = build_application(settings, webhook=webhook)
    if webhook:
        from bot.web import serve_webhook

        if not settings.webhook_url:
            raise CliError("RELAIS_WEBHOOK_URL is not set")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_webhook(application, settings))
        return 0
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The HSDS API alone on RELAIS_HOST:RELAIS_PORT; with a token and a webhook URL, the bot's
    webhook server, which serves the same API beside /telegram in one process."""
    import asyncio
    import contextlib
    import logging

    from bot.hsds_api import serve_api
    from catalogue.db import make_engine

    settings = _settings(args)
    if settings.token and settings.webhook_url:
        return cmd_bot(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger(__name__).info("HSDS API on %s:%s/hsds", settings.host, settings.port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_api(make_engine(settings.database_url), settings.host, settings.port))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    settings = _settings(args)
    lang = args.lang if getattr(args, "lang", None) else os.environ.get("LANG", "fr")[:2]
    import asyncio

    from catalogue.db import default_database_path

    files = getattr(args, "files", None) or default_database_path().parent / "chat-files"
    return asyncio.run(
        chat(settings, lang, sys.stdin, sys.stdout, files=files, fresh=getattr(args, "new", False))
    )


async def chat(
    settings: Settings,
    lang: str,
    stdin: TextIO,
    out: TextIO,
    *,
    files: Path | None = None,
    fresh: bool = False,
) -> int:
    """The terminal chat: the real Application over the local transport. Numbers press the
    buttons shown; `@50.63,3.06` shares a location; `@douche Roubaix` tries inline mode; a
    script is read when stdin is no TTY. Files the bot sends are saved in `files`. A user the
    database knows continues where they were (the state is saved), unless `fresh`."""
    import asyncio

    from bot.app import build_application, post_init
    from bot.transport import LocalRequest, LocalUser, render_calls

    request = LocalRequest()
    application = build_application(settings, request=request)
    interactive = stdin.isatty()
    async with application:
        await post_init(application)
        user = LocalUser(application, request, user_id=CHAT_USER_ID, language_code=lang)
        if interactive:
            print(
                "Relais — type your message, a number to press a button, "
                "@lat,lon to share a location, @words for inline mode, Ctrl-D to quit.\n",
                file=out,
            )
        buttons: list[Button] = []
        if fresh or not application.user_data.get(CHAT_USER_ID):
            calls = await user.send("/start")
        else:
            print(
                "(continuing where you were: /start or `relais chat --new` starts again)\n",
                file=out,
            )
            calls = []
        while True:
            text, shown = render_calls(calls)
            if text:
                print(text + "\n", file=out, flush=True)
            for saved in _save_files(calls, files):
                print(f"(file saved: {saved})\n", file=out, flush=True)
            buttons = shown or buttons
            await application.update_persistence()
            line = await asyncio.to_thread(_read, stdin, interactive)
            if line is None:
                return 0
            line = line.strip()
            if not interactive:
                print(f"> {line}", file=out)
            if not line:
                calls = []
                continue
            calls = await _act(user, line, buttons, out)


def _read(stdin: TextIO, interactive: bool) -> str | None:
    if interactive:
        try:
            return input("> ")
        except EOFError:
            return None
    line = stdin.readline()
    return line if line else None


async def _act(user: LocalUser, line: str, buttons: list[Button], out: TextIO) -> list[Call]:
    """Turn what was typed into an update: a button press, a location or a message."""
    from catalogue.places import parse_coordinates
    from catalogue.text import is_number

    if is_number(line) and 1 <= int(line) <= len(buttons):
        chosen = buttons[int(line) - 1]
        if chosen.callback:
            return await user.press(chosen.callback, chosen.message_id)
        if chosen.location:
            print("(type your location as @50.63,3.06)", file=out)
            return []
        if chosen.url:  # Telegram opens it in the browser; nothing reaches the bot
            print(f"(this button opens {chosen.url})", file=out)
            return []
        if chosen.posted is not None:  # an inline result, posted into another chat
            from bot.transport import plain

            print(f"(posted in the chat:)\n{plain(chosen.posted)}", file=out)
            return []
        return await user.send(chosen.text or chosen.label)
    if line.startswith("@"):
        place = parse_coordinates(line)
        if place is not None:
            return await user.share_location(place.latitude, place.longitude)
        words = line[1:].split(maxsplit=1)  # "@douche Roubaix" or "@RelaisBot douche Roubaix"
        if words and words[0].lower().endswith("bot"):
            words = words[1:]
        return await user.inline_query(" ".join(words))
    return await user.send(line)


def _save_files(calls: list, folder: Path | None) -> list[Path]:
    """Write the files sent in `calls` into `folder` (made when needed); their paths."""
    saved = []
    for call in calls:
        for part, data in call.files.items():
            if folder is None:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / Path(call.file_names.get(part) or f"{call.method}-{part}").name
            path.write_bytes(data)
            saved.append(path)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        handler = cmd_bot if os.environ.get("TELEGRAM_BOT_TOKEN") else cmd_chat
        args.lang = None
    return run(handler, args)


if __name__ == "__main__":
    sys.exit(main())
