"""The Gazette as plain text for the terminal: a masthead, then each item wrapped to a width."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Final

from greatwork.press.item import PressItem

MIN_WIDTH: Final = 24
MAX_WIDTH: Final = 400
GAZETTE: Final = "THE GREAT WORK GAZETTE"
INDENT: Final = "  "
NO_NEWS: Final = "No news this digest: the presses rest."


def _masthead(items: Sequence[PressItem], year: int | None, digest: int | None) -> str:
    numbers = sorted({item.digest for item in items})
    if digest is not None:
        numbers = [digest]
    parts = [GAZETTE]
    if len(numbers) == 1:
        parts.append(f"Digest No. {numbers[0]}")
    elif numbers:
        parts.append(f"Digests No. {numbers[0]}-{numbers[-1]}")
    if year is None:
        years = [y for item in items if isinstance(y := item.meta.get("year"), int)]
        year = max(years) if years else None
    if year is not None:
        parts.append(f"Anno {year}")
    return " · ".join(parts)


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        if not paragraph.strip():
            continue
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=width,
                initial_indent=indent,
                subsequent_indent=indent,
                break_long_words=True,
                break_on_hyphens=False,
            )
        )
    return lines


def gazette_text(
    items: Sequence[PressItem],
    width: int = 80,
    *,
    year: int | None = None,
    digest: int | None = None,
) -> str:
    """Render the Gazette of one digest as readable plain text.

    A masthead line names the digest and the in-game year, a rule follows, then each item:
    its headline, and its body wrapped and indented, with a blank line between items.

    Args:
        items: the press items, in the order to print them.
        width: the widest line, in characters (24 to 400).
        year: the in-game year for the masthead; by default the latest ``year`` in the items'
            meta (the composer records it), or none.
        digest: the digest number for the masthead; by default the items' own.

    Returns:
        The text, ending with a newline.

    Raises:
        ValueError: ``width`` is outside 24..400.
    """
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(
            f"The Gazette's width must be {MIN_WIDTH} to {MAX_WIDTH} characters, got {width}."
        )
    masthead = _masthead(items, year, digest)
    lines = [*_wrap(masthead, width), "=" * width]
    if not items:
        lines.extend(["", *_wrap(NO_NEWS, width)])
    for item in items:
        lines.append("")
        lines.extend(_wrap(item.headline, width))
        lines.extend(_wrap(item.body, width, INDENT))
    return "\n".join(lines) + "\n"
