"""Parser for press.yaml: the Gazette's templates, one per press occasion."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from greatwork.content._schema import Node, placeholders
from greatwork.press.occasions import OCCASIONS, Occasion
from greatwork.rules.content import PressTemplate

MAX_HEADLINE: Final = 256
MAX_BODY: Final = 1500
MAX_VARIANTS: Final = 20


@dataclass(frozen=True, slots=True)
class Caps:
    """The most characters a press type prints: its headline, and its body."""

    headline: int
    body: int


DEFAULT_CAPS: Final = Caps(MAX_HEADLINE, MAX_BODY)
CAPS: Final[Mapping[str, Caps]] = MappingProxyType(
    {
        # a quote and its context, read in passing (table talk has its own caps, below)
        "academic_gossip": Caps(200, 600),
        "symposium_reminder": Caps(160, 500),
        "symposium_notice": Caps(160, 600),
        "symposium_reprimand": Caps(160, 600),
        "timeline_update": Caps(160, 500),
        "negotiation": Caps(MAX_HEADLINE, 800),
        "negotiation_resolved": Caps(MAX_HEADLINE, 800),
        "recruitment_report": Caps(200, 800),
        "admin_action": Caps(200, 1000),
        # "Coming up" (section 3.16 step 3): 5 lines of at most 160 characters and an intro
        "digest_highlights": Caps(200, 1000),
        # layered follow-ups (section 4.3)
        "faction_statement": Caps(200, 800),
        "landmark_preparation": Caps(200, 800),
        "investigation": Caps(MAX_HEADLINE, 1000),
        "analysis": Caps(MAX_HEADLINE, 800),
    }
)
"""Caps by press type (GAME_RULES.md 4.1); every other type has :data:`DEFAULT_CAPS`.

The composer cuts a filled headline or body to its type's cap (``compose.cut``); the loader
refuses a template already longer than its cap before filling.
"""


OCCASION_CAPS: Final[Mapping[str, Caps]] = MappingProxyType(
    {
        # a player's own words (up to 1,000 characters) are printed whole, never cut
        "table_talk": Caps(200, MAX_BODY),
    }
)
"""Caps of occasions that differ from their press type's (:data:`CAPS`)."""


def caps_for(kind: str, occasion: str | None = None) -> Caps:
    """The caps of a press type, or of one occasion when it has its own.

    The defaults are 256 and 1,500 characters (:data:`DEFAULT_CAPS`).
    """
    if occasion is not None and occasion in OCCASION_CAPS:
        return OCCASION_CAPS[occasion]
    return CAPS.get(kind, DEFAULT_CAPS)


def parse_press(root: Node, layers: Node) -> Mapping[str, PressTemplate]:
    """press.yaml and layers.yaml: a template for every occasion, checked against its fields.

    ``press.yaml`` words every occasion but the layered follow-ups, ``layers.yaml`` exactly
    those (``Occasion.layer``). A template has a ``headline`` and a ``body``, each a text or a
    list of variants. Every placeholder must be a field the occasion offers, every field the
    press type must print must appear, a headline is one line, and no variant is longer than
    its press type's cap (:func:`caps_for`) before filling.
    """
    out = {
        **_templates(root, layer=False, other="layers.yaml"),
        **_templates(layers, layer=True, other="press.yaml"),
    }
    return {key: out[key] for key in OCCASIONS}


def _templates(root: Node, *, layer: bool, other: str) -> dict[str, PressTemplate]:
    """The templates of one file: the occasions whose ``layer`` flag is ``layer``, all of them."""
    templates = root.mapping(("templates",))["templates"]
    entries = templates.entries()
    out: dict[str, PressTemplate] = {}
    for key, node in entries.items():
        occasion = OCCASIONS.get(key)
        if occasion is None:
            node.fail(f"unknown occasion {key!r} (docs/press.md lists the occasions)")
        if occasion.layer is not layer:
            node.fail(f"the occasion {key!r} is worded in {other}, not here")
        out[key] = _template(key, node, occasion)
    missing = [key for key, o in OCCASIONS.items() if o.layer is layer and key not in out]
    if missing:
        templates.fail(f"no template for occasion {missing[0]!r} (every occasion needs one)")
    return out


def _template(key: str, node: Node, occasion: Occasion) -> PressTemplate:
    fields = node.mapping(("headline", "body"))
    caps = caps_for(occasion.kind, key)
    whose = key if key in OCCASION_CAPS else occasion.kind
    headlines = _variants(
        fields["headline"], occasion, occasion.headline_must, caps.headline, whose
    )
    for index, text in enumerate(headlines):
        if "\n" in text:
            _variant_node(fields["headline"], index).fail("a headline must be a single line")
    bodies = _variants(fields["body"], occasion, occasion.body_must, caps.body, whose)
    return PressTemplate(occasion=key, headlines=headlines, bodies=bodies)


def _variant_node(node: Node, index: int) -> Node:
    return node.child(index) if isinstance(node.value, list) else node


def _variants(
    node: Node, occasion: Occasion, must: Collection[str], cap: int, whose: str
) -> tuple[str, ...]:
    items = node.items(1, MAX_VARIANTS) if isinstance(node.value, list) else [node]
    out: list[str] = []
    for item in items:
        text = item.text(allowed=occasion.allowed)
        absent = sorted(set(must) - placeholders(text))
        if absent:
            item.fail(f"must use the field {{{absent[0]}}} (its press type prints it)")
        if len(text) > cap:
            item.fail(f"is {len(text)} characters long; the cap for {whose} is {cap}")
        if text in out:
            item.fail("duplicate variant")
        out.append(text)
    return tuple(out)
