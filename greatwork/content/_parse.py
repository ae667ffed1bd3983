"""Parsers for the trait, name, catchphrase, world and legend files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from greatwork.content._schema import Node, placeholders
from greatwork.rules.constants import FACTIONS
from greatwork.rules.content import Archetype, Content, Legend, Namebank, TopicSpec
from greatwork.rules.state import Stats

STAT_NAMES = ("talent", "reliability", "integrity", "theatrics", "loyalty", "risk")
LEGEND_ID = re.compile(r"s\.[a-z][a-z0-9_-]*")
REQUIRED_LADDERS = ("Academia", "Industry")


@dataclass(frozen=True, slots=True)
class Traits:
    """The lists of traits.yaml."""

    archetypes: tuple[Archetype, ...]
    disciplines: tuple[str, ...]
    methods: tuple[str, ...]
    drives: tuple[str, ...]
    virtues: tuple[str, ...]
    vices: tuple[str, ...]
    taboos: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class World:
    """Ladders, titles, institutions and topics of world.yaml."""

    career_ladders: Mapping[str, tuple[str, ...]]
    career_titles: Mapping[str, Mapping[str, str]]
    institutions: tuple[str, ...]
    symposium_topics: tuple[TopicSpec, ...]


def parse_traits(root: Node) -> Traits:
    """traits.yaml: archetypes (with a method bias) and the trait lists."""
    keys = ("archetypes", "disciplines", "methods", "drives", "virtues", "vices", "taboos")
    top = root.mapping(keys)
    methods = top["methods"].texts(min_len=2, what="method")
    archetypes: list[Archetype] = []
    for item in top["archetypes"].items():
        fields = item.mapping(("name", "methods"))
        name = fields["name"].text()
        if any(a.name == name for a in archetypes):
            fields["name"].fail(f"duplicate archetype {name!r}")
        bias = fields["methods"].texts(max_len=3, choices=methods, what="method")
        archetypes.append(Archetype(name=name, methods=bias))
    return Traits(
        archetypes=tuple(archetypes),
        disciplines=top["disciplines"].texts(min_len=2, what="discipline"),
        methods=methods,
        drives=top["drives"].texts(min_len=2, what="drive"),
        virtues=top["virtues"].texts(min_len=2, what="virtue"),
        vices=top["vices"].texts(min_len=1, what="vice"),
        taboos=top["taboos"].texts(min_len=2, what="taboo"),
    )


def parse_namebanks(root: Node) -> tuple[Namebank, ...]:
    """namebanks.yaml: given names and surnames per region."""
    banks: list[Namebank] = []
    for item in root.mapping(("namebanks",))["namebanks"].items():
        fields = item.mapping(("region", "given", "surnames"))
        region = fields["region"].text()
        if any(b.region == region for b in banks):
            fields["region"].fail(f"duplicate region {region!r}")
        given = fields["given"].texts(what="given name")
        surnames = fields["surnames"].texts(what="surname")
        banks.append(Namebank(region=region, given=given, surnames=surnames))
    return tuple(banks)


def parse_catchphrases(root: Node) -> tuple[tuple[str, ...], Mapping[str, tuple[str, ...]]]:
    """catchphrases.yaml: patterns, and fills for every placeholder they use."""
    top = root.mapping(("patterns", "fills"))
    fills = {key: node.texts(what="fill") for key, node in top["fills"].entries().items()}
    patterns = []
    used: set[str] = set()
    for item in top["patterns"].items():
        patterns.append(item.text(allowed=fills))
        used |= placeholders(item.text())
    for key in fills:
        if key not in used:
            top["fills"].child(key).fail("no pattern uses this placeholder")
    return tuple(patterns), fills


def parse_world(root: Node) -> World:
    """world.yaml: career ladders and titles, institutions, symposium topics."""
    top = root.mapping(
        ("career_ladders", "institutions", "symposium_topics"), optional=("career_titles",)
    )
    ladders = {k: v.texts(what="rung") for k, v in top["career_ladders"].entries().items()}
    for track in REQUIRED_LADDERS:
        if track not in ladders:
            top["career_ladders"].child(track).fail("required ladder is missing")
    titles: dict[str, dict[str, str]] = {}
    if "career_titles" in top:
        for track, node in top["career_titles"].entries().items():
            rungs = ladders.get(track)
            if rungs is None:
                node.fail(f"unknown track {track!r} (expected one of: {', '.join(ladders)})")
            titles[track] = {}
            for title, rung in node.entries().items():
                if title in rungs:
                    rung.fail(f"{title!r} is already a rung of the {track} ladder")
                titles[track][title] = rung.choice(rungs, "rung")
    topics: list[TopicSpec] = []
    for item in top["symposium_topics"].items():
        fields = item.mapping(("title", "description"))
        title = fields["title"].text()
        if any(t.title == title for t in topics):
            fields["title"].fail(f"duplicate topic {title!r}")
        topics.append(TopicSpec(title=title, description=fields["description"].text()))
    return World(
        career_ladders=ladders,
        career_titles=titles,
        institutions=top["institutions"].texts(what="institution"),
        symposium_topics=tuple(topics),
    )


_LEGEND_KEYS = (
    "id",
    "name",
    "seed",
    "archetype",
    "region",
    "disciplines",
    "methods",
    "drives",
    "virtues",
    "vices",
    "taboos",
    "stats",
    "politics",
    "catchphrase",
    "career",
    "employer",
    "term_years",
    "biography",
)


def parse_legends(root: Node, draft: Content) -> tuple[Legend, ...]:
    """legends.yaml, checked against everything else (``draft`` has no legends yet)."""
    legends: list[Legend] = []
    for item in root.mapping(("legends",))["legends"].items():
        legend = _legend(item, draft)
        if any(other.id == legend.id for other in legends):
            item.child("id").fail(f"duplicate legend id {legend.id!r}")
        legends.append(legend)
    return tuple(legends)


def _legend(item: Node, draft: Content) -> Legend:
    f = item.mapping(_LEGEND_KEYS)
    legend_id = f["id"].text()
    if not LEGEND_ID.fullmatch(legend_id) or legend_id.startswith("s.proc-"):
        f["id"].fail(f"expected an id like 's.ironquill' (not 's.proc-...'), got {legend_id!r}")
    stats = f["stats"].mapping(STAT_NAMES)
    politics = f["politics"].mapping(tuple(FACTIONS))
    career = f["career"].mapping(("tier", "track"))
    track = career["track"].choice(draft.career_ladders, "track")
    tiers = (*draft.career_ladders[track], *draft.career_titles.get(track, {}))
    return Legend(
        id=legend_id,
        name=f["name"].text(),
        seed=f["seed"].integer(1, 2**31 - 1),
        archetype=f["archetype"].choice((a.name for a in draft.archetypes), "archetype"),
        region=f["region"].choice((b.region for b in draft.namebanks), "region"),
        disciplines=f["disciplines"].texts(1, 2, draft.disciplines, "discipline"),
        methods=f["methods"].texts(2, 2, draft.methods, "method"),
        drives=f["drives"].texts(1, 2, draft.drives, "drive"),
        virtues=f["virtues"].texts(1, 2, draft.virtues, "virtue"),
        vices=f["vices"].texts(1, 2, draft.vices, "vice"),
        taboos=f["taboos"].texts(1, 2, draft.taboos, "taboo"),
        stats=Stats(**{name: stats[name].integer(0, 10) for name in STAT_NAMES}),
        politics={faction: politics[faction].integer(-3, 3) for faction in FACTIONS},
        catchphrase=f["catchphrase"].text(allowed=draft.catchphrase_fills),
        tier=career["tier"].choice(tiers, "tier"),
        track=track,
        employer=f["employer"].choice(draft.institutions, "institution"),
        term_years=f["term_years"].integer(1, 30),
        biography=f["biography"].text(),
    )
