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
    """ "Did you mean…?": yes or no, for search `serial`."""
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


# -- social workers' tools (bot.share) and mistake reports (bot.report) ----------------------
OTHER_LANGUAGE_PATTERN = r"^shr:ol:"
CARD_IN_PATTERN = r"^shr:in:"
ADD_PATTERN = r"^shr:add:"
LIST_ACTION_PATTERN = r"^shr:ls:(msg|html|clear)$"
REPORT_PATTERN = r"^rep:"
REPORT_KIND_PATTERN = r"^rk:"


def other_language(service_id: str) -> str:
    """ "Other language" under a card: which language to show it in."""
    return f"shr:ol:{service_id}"


def card_in(lang: str, service_id: str) -> str:
    """The card of `service_id` in `lang` (the longest share button: `fits` is asked of it
    with a two-letter code before a card gets any)."""
    return f"shr:in:{lang}:{service_id}"


def parse_card_in(data: str) -> tuple[str, str]:
    """(lang, service_id) of card_in."""
    lang, _, service_id = data.removeprefix("shr:in:").partition(":")
    return lang, service_id


def shared_service(data: str) -> str:
    """The service id of other_language or add_to_list."""
    return data.split(":", 2)[2]


def add_to_list(service_id: str) -> str:
    return f"shr:add:{service_id}"


def list_action(action: str) -> str:
    """ "msg", "html" or "clear" on the shortlist."""
    return f"shr:ls:{action}"


def send_list(kind: str, lang: str) -> str:
    """The shortlist as messages (`m`) or as a printable sheet (`h`), in `lang`."""
    return f"shr:l{kind}:{lang}"


def send_list_pattern(langs: tuple[str, ...] | list[str]) -> str:
    return r"^shr:l[mh]:(" + "|".join(langs) + ")$"


def parse_send_list(data: str) -> tuple[str, str]:
    """(kind, lang) of send_list."""
    kind, _, lang = data.removeprefix("shr:l").partition(":")
    return kind, lang


def report(service_id: str) -> str:
    """ "Report a mistake" under a card."""
    return f"rep:{service_id}"


def report_kind(kind: str, service_id: str) -> str:
    """What is wrong with `service_id` (the longest kind, "closed", is what `fits` is asked)."""
    return f"rk:{kind}:{service_id}"


def parse_report_kind(data: str) -> tuple[str, str]:
    """(kind, service_id) of report_kind."""
    _, kind, service_id = data.split(":", 2)
    return kind, service_id


# -- administrators (bot.admin) ---------------------------------------------------------------
NOT_ADMIN_PATTERN = r"^(?!adm:)"  # any button but an administrator's
ADMIN_STEP_PATTERN = r"^adm:(v:|c[gtbd]|org)"  # buttons of one step: old when pressed at another
FIELD_PATTERN = r"^adm:f:"
CATEGORIES_PATTERN = r"^adm:c[gtbd]"
CATEGORIES_BACK, CATEGORIES_DONE = "adm:cb", "adm:cd"
ORGANIZATION_PATTERN = r"^adm:org"
NEW_ORGANIZATION = "adm:orgnew"
SAVE, SAVE_PATTERN = "adm:save", r"^adm:save$"
CANCEL, CANCEL_PATTERN = "adm:cancel", r"^adm:cancel$"
IMPORT_APPLY, IMPORT_APPLY_PATTERN = "adm:imp:apply", r"^adm:imp:apply$"
IMPORT_CANCEL, IMPORT_CANCEL_PATTERN = "adm:imp:cancel", r"^adm:imp:cancel$"
EXPORT_PATTERN = r"^adm:exp:(csv|hsds)$"
VERIFY_PATTERN = r"^adm:ver:"


def field(key: str) -> str:
    """The field of a service to edit."""
    return f"adm:f:{key}"


def value(key: str, choice: str) -> str:
    """A value chosen for field `key`."""
    return f"adm:v:{key}:{choice}"


def value_pattern(key: str) -> str:
    return rf"^adm:v:{key}:"


def admin_group(key: str) -> str:
    return f"adm:cg:{key}"


def admin_category(key: str) -> str:
    return f"adm:ct:{key}"


def organization(organization_id: str) -> str:
    return f"adm:org:{organization_id}"


def export(fmt: str) -> str:
    """ "csv" or "hsds"."""
    return f"adm:exp:{fmt}"


def verify(service_id: str) -> str:
    """ "Still correct" on a service to check."""
    return f"adm:ver:{service_id}"


def last_part(data: str, parts: int) -> str:
    """What follows the first `parts` parts of admin data: the key, value or id, which may
    itself hold colons (`last_part("adm:v:hours:9:00", 3)` is "9:00")."""
    return data.split(":", parts)[parts]
