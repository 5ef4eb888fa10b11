"""Callback data of inline buttons: Telegram's size limit, in one place.

Every button's data must fit `MAX_CALLBACK_BYTES`; builders check it with `fits`.
"""

from __future__ import annotations

MAX_CALLBACK_BYTES = 64  # Telegram refuses longer callback data


def fits(data: str) -> bool:
    """The data can travel in a button."""
    return len(data.encode()) <= MAX_CALLBACK_BYTES
