"""A Bot API that lives in this process: the terminal chat and the tests drive the real PTB
`Application` through it, and nothing ever reaches Telegram.

`LocalRequest` answers Bot API methods with plausible results and records every call.
`LocalUser` writes the updates a Telegram client would send (text, commands, locations,
stickers, voice notes, edits, button presses). `render_calls` turns recorded calls into text with
numbered buttons, for the terminal.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Relais",
    "username": "RelaisLocalBot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
LOCAL_TOKEN = "7000000001:LOCAL-TRANSPORT-NO-NETWORK"
# Methods whose result is a Message.
_SENDS = {
    "sendMessage",
    "sendVenue",
    "sendLocation",
    "sendPhoto",
    "sendDocument",
    "sendSticker",
}


@dataclass
class Call:
    """One Bot API call: method name, parameters (JSON values) and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)  # part -> the file's own name
    result: Any = None  # what the local Bot API answered (a Message dict for sends)

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, then reply-keyboard buttons, flattened in reading order."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]

    def button_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


class LocalRequest(BaseRequest):
    """Answers the Bot API locally; `calls` records every request in order."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, id) -> message
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self._ids = itertools.count(1)
        self._failures: deque[tuple[str, int, dict[str, Any]]] = deque()
        self.refused: list[tuple[Call, str]] = []  # calls Telegram would refuse, and why

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def next_message_id(self) -> int:
        """Message ids are shared by the user's and the bot's messages, as in one chat."""
        return next(self._ids)

    def fail_next(
        self, method: str, code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of `method` fail as Telegram would (403 blocked, 429 flood...)."""
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self._failures.append((method, code, body))

    def calls_since(self, index: int) -> list[Call]:
        return self.calls[index:]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,  # PTB's DefaultValue sentinels
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if method == "GET":  # a file download after getFile
            file_id = url.rsplit("/", 1)[-1]
            return (200, self.files[file_id]) if file_id in self.files else (404, b"{}")
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files, names = {}, {}
        if request_data and request_data.contains_files:
            for part, value in request_data.multipart_data.items():
                content = value[1] if isinstance(value, tuple) else value
                files[part] = content if isinstance(content, bytes) else content.read()
                if isinstance(value, tuple) and value[0]:
                    names[part] = str(value[0])
        return self.handle(name, params, files, names)

    def handle(
        self,
        name: str,
        params: dict[str, Any],
        files: dict[str, bytes] | None = None,
        names: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Answer Bot API method `name` (also for a Bot API served over HTTP in tests)."""
        call = Call(name, params, files or {}, names or {})
        self.calls.append(call)
        if self._unchanged(name, params):
            body = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message is not "
                "modified: specified new message content and reply markup are exactly the "
                "same as a current content and reply markup of the message",
            }
            return 400, json.dumps(body).encode()
        problem = telegram_limits_problem(params)
        if problem:
            self.refused.append((call, problem))
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {problem}"}
            return 400, json.dumps(body).encode()
        for i, (failing, code, body) in enumerate(self._failures):
            if failing == name:
                del self._failures[i]
                return code, json.dumps(body).encode()
        result = call.result = self._answer(name, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, name: str, params: dict[str, Any]) -> Any:  # JSON
        if name == "getMe":
            return BOT_USER
        if name in _SENDS:
            return self._send(name, params)
        if name in {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}:
            return self._edit(params)
        if name == "deleteMessage":
            self.messages.pop((_chat_id(params), int(params["message_id"])), None)
            return True
        if name == "getFile":
            file_id = params["file_id"]
            size = len(self.files.get(file_id, b""))
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": size,
                "file_path": file_id,
            }
        if name in {"getUpdates", "getMyCommands"}:
            return []
        if name == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # answerCallbackQuery, setMyCommands, setWebhook, sendChatAction...

    def _send(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        message: dict[str, Any] = {
            "message_id": self.next_message_id(),
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        if name in {"sendVenue", "sendLocation"}:
            location = {"latitude": params["latitude"], "longitude": params["longitude"]}
            message["location"] = location
            if name == "sendVenue":
                message["venue"] = {
                    "location": location,
                    "title": params["title"],
                    "address": params["address"],
                }
        if name == "sendDocument":
            message["document"] = {
                "file_id": f"doc{message['message_id']}",
                "file_unique_id": f"doc{message['message_id']}",
            }
        if name == "sendPhoto":
            message["photo"] = [
                {
                    "file_id": f"photo{message['message_id']}",
                    "file_unique_id": f"photo{message['message_id']}",
                    "width": 800,
                    "height": 600,
                }
            ]
        _set_inline_markup(message, params)
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _unchanged(self, name: str, params: dict[str, Any]) -> bool:
        """An edit that changes nothing, which Telegram refuses (a double tap does that)."""
        if not name.startswith("editMessage") or "inline_message_id" in params:
            return False
        message = self.messages.get((_chat_id(params), int(params["message_id"])))
        if message is None:
            return False
        after = dict(message)
        for part in ("text", "caption"):
            if part in params:
                after[part] = params[part]
        after.pop("reply_markup", None)
        _set_inline_markup(after, params)
        return after == message

    def _edit(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        key = (_chat_id(params), int(params["message_id"]))
        message = self.messages.get(key) or {
            "message_id": key[1],
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": key[0], "type": "private"},
            "from": BOT_USER,
        }
        for part in ("text", "caption"):
            if part in params:
                message[part] = params[part]
        message.pop("reply_markup", None)
        _set_inline_markup(message, params)
        message["edit_date"] = int(datetime.now(UTC).timestamp())
        self.messages[key] = message
        return message


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_limits_problem(params: dict[str, Any]) -> str | None:
    """What Telegram would refuse in these parameters: text over 4,096 characters (UTF-16,
    after HTML parsing), caption over 1,024, callback data over 64 bytes."""
    for name, limit in (("text", 4096), ("caption", 1024)):
        value = params.get(name)
        if isinstance(value, str) and _utf16_length(plain(value)) > limit:
            return f"{name} is too long ({_utf16_length(plain(value))} > {limit})"
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in (markup or {}).get("inline_keyboard", []):
        for b in row:
            if len(b.get("callback_data", "").encode()) > 64:
                return f"BUTTON_DATA_INVALID {b['callback_data']!r}"
    return None


def _chat_id(params: dict[str, Any]) -> int:
    return int(params["chat_id"])


def _set_inline_markup(message: dict[str, Any], params: dict[str, Any]) -> None:
    """A message keeps its inline keyboard (reply keyboards live on the client, not the message)."""
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        message["reply_markup"] = markup


class LocalUser:
    """A Telegram user in a private chat with the bot, writing updates to `application`."""

    def __init__(
        self,
        application: Application,
        request: LocalRequest,
        *,
        user_id: int = 1001,
        language_code: str | None = "fr",
        first_name: str = "Camille",
    ) -> None:
        self.application = application
        self.request = request
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        self.chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        self.now: datetime | None = None  # fixed clock for update dates; None = real time
        self._update_ids = itertools.count(1)

    def _date(self) -> int:
        return int((self.now or datetime.now(UTC)).timestamp())

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": self.request.next_message_id(),
            "date": self._date(),
            "chat": self.chat,
            "from": self.user,
            **content,
        }

    async def _process(self, payload: dict[str, Any]) -> list[Call]:
        start = len(self.request.calls)
        payload = {"update_id": next(self._update_ids), **payload}
        await self.application.process_update(Update.de_json(payload, self.application.bot))
        return self.request.calls_since(start)

    async def send(self, text: str) -> list[Call]:
        """A text message; a leading /command carries its bot_command entity as clients send."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._process({"message": self._message(**content)})

    async def share_location(self, latitude: float, longitude: float) -> list[Call]:
        location = {"latitude": latitude, "longitude": longitude}
        return await self._process({"message": self._message(location=location)})

    async def send_sticker(self) -> list[Call]:
        sticker = {
            "file_id": "stk",
            "file_unique_id": "stk",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self._process({"message": self._message(sticker=sticker)})

    async def send_voice(self) -> list[Call]:
        voice = {"file_id": "voice", "file_unique_id": "voice", "duration": 3}
        return await self._process({"message": self._message(voice=voice)})

    async def send_document(self, file_name: str, data: bytes) -> list[Call]:
        """A file sent to the bot; its bytes are served by getFile + download."""
        file_id = f"file{len(self.request.files) + 1}"
        self.request.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": file_name,
            "file_size": len(data),
        }
        return await self._process({"message": self._message(document=document)})

    async def edit(self, message_id: int, text: str) -> list[Call]:
        message = self._message(text=text, edit_date=self._date())
        message["message_id"] = message_id
        return await self._process({"edited_message": message})

    async def press(self, data: str, message_id: int | None = None) -> list[Call]:
        """Press the inline button with callback `data` (on the latest message showing it, or
        on an unknown old message when none shows it: a stale button)."""
        if message_id is None:
            message_id = self.message_with_button(data) or 0
        message = self.request.messages.get((self.chat["id"], message_id)) or {
            "message_id": message_id,
            "date": self._date(),
            "chat": self.chat,
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": str(next(self._update_ids)),
            "from": self.user,
            "chat_instance": "local",
            "data": data,
            "message": message,
        }
        return await self._process({"callback_query": query})

    async def block(self) -> list[Call]:
        """The user blocks the bot: Telegram sends a my_chat_member update."""
        bot = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}
        member = {
            "chat": self.chat,
            "from": self.user,
            "date": self._date(),
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
        }
        return await self._process({"my_chat_member": member})

    async def edit_location(self, message_id: int, latitude: float, longitude: float) -> list[Call]:
        """A live location moving: Telegram edits the location message."""
        message = self._message(
            location={"latitude": latitude, "longitude": longitude}, edit_date=self._date()
        )
        message["message_id"] = message_id
        return await self._process({"edited_message": message})

    async def inline_query(self, text: str) -> list[Call]:
        query = {"id": str(next(self._update_ids)), "from": self.user, "query": text, "offset": ""}
        return await self._process({"inline_query": query})

    def message_with_button(self, data: str) -> int | None:
        for (chat_id, message_id), message in reversed(self.request.messages.items()):
            if chat_id != self.chat["id"]:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(b.get("callback_data") == data for row in rows for b in row):
                return message_id
        return None


# -- terminal rendering ---------------------------------------------------------------------
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Button:
    """A button shown in the terminal: pressing it either calls back, types text or shares
    a location."""

    label: str
    callback: str | None = None
    message_id: int | None = None
    text: str | None = None
    location: bool = False
    url: str | None = None
    posted: str | None = None  # an inline result: the message it would post


def plain(text: str) -> str:
    """HTML message text as the terminal shows it."""
    return html.unescape(_TAG.sub("", text))


def render_calls(calls: list[Call]) -> tuple[str, list[Button]]:
    """What the user sees after a turn, and the buttons numbered from 1 in that order."""
    lines: list[str] = []
    buttons: list[Button] = []
    for call in calls:
        if call.method in _SENDS | {
            "editMessageText",
            "editMessageCaption",
            "editMessageReplyMarkup",
        }:
            if call.method.startswith("edit"):
                lines.append("(message updated)")
            if call.method in {"sendVenue", "sendLocation"}:
                p = call.params
                lines.append(
                    f"📍 {p.get('title', '')} {p.get('address', '')} "
                    f"({p['latitude']:.5f}, {p['longitude']:.5f})".strip()
                )
            if call.text:
                lines.append(plain(call.text))
            if call.files:
                lines.append(f"[file: {', '.join(call.files)}]")
            message_id = _message_id(call)
            for b in call.buttons:
                buttons.append(
                    Button(
                        label=b["text"],
                        callback=b.get("callback_data"),
                        message_id=message_id,
                        text=None if ("callback_data" in b or "url" in b) else b["text"],
                        location=bool(b.get("request_location")),
                        url=b.get("url"),
                    )
                )
                number = len(buttons)
                target = f" → {b['url']}" if "url" in b else ""
                lines.append(f"  [{number}] {b['text']}{target}")
            lines.append("")
        elif call.method == "answerCallbackQuery" and call.params.get("text"):
            lines.append(f"({call.params['text']})")
        elif call.method == "answerInlineQuery":
            results = call.params.get("results") or []
            lines.append(
                "(inline mode: a number posts that card)"
                if results
                else "(inline mode: nothing found)"
            )
            for r in results:
                posted = (r.get("input_message_content") or {}).get("message_text", "")
                buttons.append(Button(label=r.get("title", ""), posted=posted))
                about = f" — {r['description']}" if r.get("description") else ""
                lines.append(f"  [{len(buttons)}] {r.get('title', '')}{about}")
    return "\n".join(lines).rstrip(), buttons


def _message_id(call: Call) -> int | None:
    if isinstance(call.result, dict):
        return call.result.get("message_id")
    value = call.params.get("message_id")
    return int(value) if value is not None else None
