"""Parser for press.yaml: the Gazette's templates, one per press occasion."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from greatwork.content._schema import Node, placeholders
from greatwork.press.occasions import OCCASIONS, Occasion
from greatwork.rules.content import PressTemplate

MAX_HEADLINE = 256
MAX_BODY = 1500
MAX_VARIANTS = 20


def parse_press(root: Node) -> Mapping[str, PressTemplate]:
    """press.yaml: a template for every occasion, each checked against the occasion's fields.

    A template has a ``headline`` and a ``body``, each a text or a list of variants. Every
    placeholder must be a field the occasion offers, every field the press type must print
    must appear, a headline is one line, and no variant is longer than its cap before filling.
    """
    templates = root.mapping(("templates",))["templates"]
    entries = templates.entries()
    out: dict[str, PressTemplate] = {}
    for key, node in entries.items():
        occasion = OCCASIONS.get(key)
        if occasion is None:
            node.fail(f"unknown occasion {key!r} (docs/press.md lists the occasions)")
        out[key] = _template(key, node, occasion)
    missing = [key for key in OCCASIONS if key not in out]
    if missing:
        templates.fail(f"no template for occasion {missing[0]!r} (every occasion needs one)")
    return {key: out[key] for key in OCCASIONS}


def _template(key: str, node: Node, occasion: Occasion) -> PressTemplate:
    fields = node.mapping(("headline", "body"))
    headlines = _variants(fields["headline"], occasion, occasion.headline_must, MAX_HEADLINE)
    for index, text in enumerate(headlines):
        if "\n" in text:
            _variant_node(fields["headline"], index).fail("a headline must be a single line")
    bodies = _variants(fields["body"], occasion, occasion.body_must, MAX_BODY)
    return PressTemplate(occasion=key, headlines=headlines, bodies=bodies)


def _variant_node(node: Node, index: int) -> Node:
    return node.child(index) if isinstance(node.value, list) else node


def _variants(node: Node, occasion: Occasion, must: Collection[str], cap: int) -> tuple[str, ...]:
    items = node.items(1, MAX_VARIANTS) if isinstance(node.value, list) else [node]
    out: list[str] = []
    for item in items:
        text = item.text(allowed=occasion.allowed)
        absent = sorted(set(must) - placeholders(text))
        if absent:
            item.fail(f"must use the field {{{absent[0]}}} (its press type prints it)")
        if len(text) > cap:
            item.fail(f"is {len(text)} characters long; the cap is {cap}")
        if text in out:
            item.fail("duplicate variant")
        out.append(text)
    return tuple(out)
