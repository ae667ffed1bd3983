"""Parsers for the failure tables and the sideways discoveries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

from greatwork.content._schema import Node
from greatwork.rules.constants import Confidence, Depth, ExpeditionType, Faction, Outcome
from greatwork.rules.content import Effect, EffectKind, FailureEntry, SidewaysEntry

TEXT_PLACEHOLDERS = ("objective", "type")
SNAKE = re.compile(r"[a-z][a-z0-9_]*")
MAX_WEIGHT = 1000
SIDEWAYS_OUTCOMES = (Outcome.PARTIAL, Outcome.FAILURE)

FailureTables = Mapping[ExpeditionType, Mapping[Depth, tuple[FailureEntry, ...]]]

# Each effect kind: (required keys, optional keys), besides "kind".
_EFFECT_KEYS: Mapping[EffectKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    EffectKind.FACTION_SHIFT: (("amount", "factions"), ()),
    EffectKind.REPUTATION: (("amount",), ()),
    EffectKind.SPAWN_THEORY: (("text",), ("confidence",)),
    EffectKind.GRUDGE: ((), ("amount",)),  # without an amount, the design's -0.5 applies
    EffectKind.CONFERENCE: (("text",), ("confidence",)),
    EffectKind.OPPORTUNITY: (
        ("text", "days"),
        ("reward_influence", "reward_reputation", "factions"),
    ),
    EffectKind.DOMAIN: (("text",), ()),
}
# The allowed range of ``amount`` per kind; zero is always refused.
_AMOUNTS = {
    EffectKind.FACTION_SHIFT: (1, 10),
    EffectKind.REPUTATION: (-10, 10),
    EffectKind.GRUDGE: (-5, 5),
}


def _snake(node: Node, what: str) -> str:
    value = node.text()
    if not SNAKE.fullmatch(value):
        node.fail(f"expected a snake_case {what} such as 'minor_clue', got {value!r}")
    return value


def parse_failures(root: Node) -> FailureTables:
    """failures.yaml: a weighted table for every (type, depth), standard between the others."""
    types = root.mapping(("failure_tables",))["failure_tables"].mapping(tuple(ExpeditionType))
    tables: dict[ExpeditionType, dict[Depth, tuple[FailureEntry, ...]]] = {}
    for expedition_type in ExpeditionType:
        depths = types[expedition_type].mapping(tuple(Depth))
        tables[expedition_type] = {d: _failure_table(depths[d]) for d in Depth}
        _check_standard_between(types[expedition_type], tables[expedition_type])
    return tables


def _failure_table(node: Node) -> tuple[FailureEntry, ...]:
    entries: list[FailureEntry] = []
    for item in node.items():
        fields = item.mapping(("key", "weight", "text"))
        key = _snake(fields["key"], "key")
        if any(e.key == key for e in entries):
            fields["key"].fail(f"duplicate entry {key!r} in this table")
        entries.append(
            FailureEntry(
                key=key,
                weight=fields["weight"].integer(1, MAX_WEIGHT),
                text=fields["text"].text(allowed=TEXT_PLACEHOLDERS),
            )
        )
    return tuple(entries)


def _shares(table: tuple[FailureEntry, ...]) -> dict[str, Fraction]:
    total = sum(e.weight for e in table)
    return {e.key: Fraction(e.weight, total) for e in table}


def _check_standard_between(node: Node, by_depth: Mapping[Depth, tuple[FailureEntry, ...]]) -> None:
    """D4: each key's share of the standard table lies between its shallow and deep shares."""
    shallow, standard, deep = (_shares(by_depth[d]) for d in Depth)
    for key in sorted(set(shallow) | set(standard) | set(deep)):
        low, high = sorted((shallow.get(key, Fraction(0)), deep.get(key, Fraction(0))))
        share = standard.get(key, Fraction(0))
        if not low <= share <= high:
            node.child(Depth.STANDARD).fail(
                f"the share of {key!r} ({float(share):.0%}) must lie between its shallow and "
                f"deep shares ({float(low):.0%}..{float(high):.0%})"
            )


def parse_sideways(root: Node) -> tuple[SidewaysEntry, ...]:
    """sideways.yaml: entries with real effects, covering every (type, depth, outcome)."""
    top = root.mapping(("sideways",))
    entries: list[SidewaysEntry] = []
    for item in top["sideways"].items():
        entry = _sideways_entry(item)
        if any(e.key == entry.key for e in entries):
            item.child("key").fail(f"duplicate sideways key {entry.key!r}")
        entries.append(entry)
    _check_coverage(top["sideways"], entries)
    return tuple(entries)


def _sideways_entry(item: Node) -> SidewaysEntry:
    fields = item.mapping(
        ("key", "text", "types", "depths", "outcomes", "effects"), optional=("weight",)
    )
    return SidewaysEntry(
        key=_snake(fields["key"], "key"),
        text=fields["text"].text(allowed=TEXT_PLACEHOLDERS),
        types=frozenset(fields["types"].members(ExpeditionType, "expedition type")),
        depths=frozenset(fields["depths"].members(Depth, "depth")),
        outcomes=frozenset(fields["outcomes"].members(Outcome, "outcome")),
        effects=tuple(_effect(e) for e in fields["effects"].items()),
        weight=fields["weight"].integer(1, MAX_WEIGHT) if "weight" in fields else 1,
    )


def _effect(node: Node) -> Effect:
    if not isinstance(node.value, dict):
        node.fail("expected a mapping with a 'kind'")
    if "kind" not in node.value:
        node.child("kind").fail("required key is missing")
    kind = node.child("kind").member(EffectKind, "effect kind")
    required, optional = _EFFECT_KEYS[kind]
    f = node.mapping(("kind", *required), optional)
    amount = 0
    if "amount" in f:
        low, high = _AMOUNTS[kind]
        amount = f["amount"].integer(low, high)
        if amount == 0:
            f["amount"].fail(f"expected a non-zero integer {low}..{high}, got 0")
    factions = f["factions"].members(Faction, "faction") if "factions" in f else ()
    if kind is EffectKind.OPPORTUNITY:
        return _opportunity(node, f, factions)
    return Effect(
        kind=kind,
        amount=amount,
        factions=factions,
        text=f["text"].text(allowed=TEXT_PLACEHOLDERS) if "text" in f else "",
        confidence=(
            f["confidence"].member(Confidence, "confidence")
            if "confidence" in f
            else Confidence.SUSPECT
        ),
    )


def _opportunity(node: Node, f: Mapping[str, Node], factions: tuple[Faction, ...]) -> Effect:
    influence = f["reward_influence"].integer(0, 10) if "reward_influence" in f else 0
    reputation = f["reward_reputation"].integer(0, 10) if "reward_reputation" in f else 0
    if not influence and not reputation:
        node.fail("an opportunity must pay: give reward_influence or reward_reputation")
    if influence and not factions:
        node.child("factions").fail("required key is missing (reward_influence needs factions)")
    if factions and not influence:
        f["factions"].fail("factions given without reward_influence")
    return Effect(
        kind=EffectKind.OPPORTUNITY,
        text=_snake(f["text"], "opportunity name"),
        days=f["days"].integer(1, 30),
        factions=factions,
        reward_influence=influence,
        reward_reputation=reputation,
    )


def _check_coverage(node: Node, entries: list[SidewaysEntry]) -> None:
    for expedition_type in ExpeditionType:
        for depth in Depth:
            for outcome in SIDEWAYS_OUTCOMES:
                if not any(
                    expedition_type in e.types and depth in e.depths and outcome in e.outcomes
                    for e in entries
                ):
                    node.fail(f"no entry covers a {outcome} of a {depth} {expedition_type}")
        if not any(expedition_type in e.types and Outcome.LANDMARK in e.outcomes for e in entries):
            node.fail(f"no landmark entry for {expedition_type}")
