"""Callback data of the inline buttons: for each kind, how it is built, the pattern its
handler is registered with, and how it is read back; and Telegram's size limit.

A button carries its own meaning (a search's serial number, a service id), so a button from an
old message is recognised. Data must fit `MAX_CALLBACK_BYTES`; builders check it with `fits`.
"""

from __future__ import annotations

MAX_CALLBACK_BYTES = 64  # Telegram refuses longer callback data


def fits(data: str) -> bool:
    """The data can travel in a button."""
    return len(data.encode()) <= MAX_CALLBACK_BYTES


# -- the resident conversation (bot.conversation, bot.render) ---------------------------------
NEW = "new"  # a new search
NEW_PATTERN = r"^new$"
GROUPS = "cats"  # back to the groups of needs
GROUPS_PATTERN = r"^cats$"
LANGUAGE_PATTERN = r"^l:"
GROUP_PATTERN = r"^g:"
CATEGORY_PATTERN = r"^c:"
PLACE_ANSWER_PATTERN = r"^p[yn]:\d+$"
PAGE_PATTERN = r"^(pg|bk):\d+:\d+$"
REFINE_PATTERN = r"^r:\d+:\w+$"
AUDIENCE_PATTERN = r"^a:\d+:.$"
DETAILS_PATTERN = r"^d:"
FORGET_PATTERN = r"^f:[yn]$"


def language(code: str) -> str:
    return f"l:{code}"


def group(key: str) -> str:
    return f"g:{key}"


def category(key: str) -> str:
    return f"c:{key}"


def place_answer(serial: int, yes: bool) -> str:
    """"Did you mean…?": yes or no, for search `serial`."""
    return f"{'py' if yes else 'pn'}:{serial}"


def page(serial: int, offset: int, *, back: bool = False) -> str:
    """The list of search `serial` from `offset`: turning pages edits it (`pg`); "Back to the
    list" under a card sends it again (`bk`)."""
    return f"{'bk' if back else 'pg'}:{serial}:{offset}"


def refine(serial: int, key: str) -> str:
    return f"r:{serial}:{key}"


def audience(serial: int, code: str) -> str:
    return f"a:{serial}:{code}"


def details(service_id: str) -> str:
    return f"d:{service_id}"


def forget(yes: bool) -> str:
    return "f:y" if yes else "f:n"


def after_prefix(data: str) -> str:
    """What follows the kind (`l:`, `g:`, `c:`, `d:`): a code, a key or a service id."""
    return data.partition(":")[2]


def parse_place_answer(data: str) -> tuple[bool, str]:
    """(yes, serial) of a place_answer."""
    answer, serial = data.split(":", 1)
    return answer == "py", serial


def parse_page(data: str) -> tuple[bool, str, int]:
    """(back, serial, offset) of a page button."""
    kind, serial, offset = data.split(":")
    return kind == "bk", serial, int(offset)


def parse_serial_and(data: str) -> tuple[str, str]:
    """(serial, value) of a refine or audience button."""
    _, serial, value = data.split(":")
    return serial, value
