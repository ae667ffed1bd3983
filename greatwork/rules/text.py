"""Player- and admin-supplied text: stripped, length-capped, refused with the limit named."""

from __future__ import annotations

from typing import Final

from greatwork.rules.errors import InvalidInput

MAX_REASON_LENGTH: Final = 200


def clean_text(value: str, label: str, limit: int, *, required: bool = True) -> str:
    """The stripped text, refused if empty (when required) or longer than ``limit``."""
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"The {label} must not be empty.", field=label)
    if len(cleaned) > limit:
        raise InvalidInput(
            f"The {label} is too long: at most {limit} characters.",
            field=label,
            limit=limit,
            length=len(cleaned),
        )
    return cleaned


def clean_reason(text: str, default: str) -> str:
    """A reason line: whitespace collapsed, defaulted when blank, refused when too long."""
    return clean_text(
        " ".join(text.split()) or default, "reason", MAX_REASON_LENGTH, required=False
    )
