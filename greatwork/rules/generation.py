"""Scholar generation (GAME_RULES 3.12): the exact draw order, and legends made into scholars."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Final

from greatwork.rules.constants import FACTIONS
from greatwork.rules.content import Content, Legend
from greatwork.rules.ids import Instant, ScholarId
from greatwork.rules.state import INDEPENDENT, Career, Contract, EmployerKind, Scholar, Stats

SEED_MAX = 10**7
STARTING_TRACK = "Academia"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SUBJECT_SLOT: Final = "topic"  # the catchphrase placeholder a reaction fills with its subject


def first_rung(content: Content, track: str = STARTING_TRACK) -> Career:
    """The bottom rung of a ladder (Postdoc on the Academia ladder)."""
    ladder = content.career_ladders.get(track)
    return Career(tier=ladder[0] if ladder else "Postdoc", track=track)


def generate_scholar(
    rng: random.Random, scholar_id: ScholarId, content: Content, at: Instant
) -> Scholar:
    """A new Independent Postdoc, drawn in the order section 3.12 fixes.

    The order matters: the same RNG state always yields the same scholar, so a campaign seed
    reproduces its whole roster. Region, given name, surname, seed, archetype, disciplines,
    methods, drives, virtues, vices, taboos, six stats, politics (canonical order),
    catchphrase, and last the contract term.

    Args:
        rng: the scholar's own RNG (``rules.rng.scholar_rng``).
        scholar_id: the id to give the scholar.
        content: the lists to draw from.
        at: when the scholar joins.
    """
    bank = rng.choice(content.namebanks)
    given = rng.choice(bank.given)
    surname = rng.choice(bank.surnames)
    seed = rng.randint(1, SEED_MAX)
    archetype = rng.choice(content.archetypes)
    disciplines = tuple(rng.sample(content.disciplines, 1 + rng.randint(0, 1)))
    methods = tuple(rng.sample(content.methods, 2))
    drives = tuple(rng.sample(content.drives, 2))
    virtues = tuple(rng.sample(content.virtues, 2))
    vices = tuple(rng.sample(content.vices, 1))
    taboos = tuple(rng.sample(content.taboos, 1 + rng.randint(0, 1)))
    stats = Stats(
        talent=rng.randint(4, 9),
        reliability=rng.randint(2, 9),
        integrity=rng.randint(1, 9),
        theatrics=rng.randint(1, 9),
        loyalty=rng.randint(1, 9),
        risk=rng.randint(1, 9),
    )
    politics = {faction: rng.randint(-3, 3) for faction in FACTIONS}
    catchphrase = rng.choice(content.catchphrases)
    term_years = rng.randint(1, 5)
    return Scholar(
        id=scholar_id,
        name=f"Dr {given} {surname}",
        seed=seed,
        archetype=archetype.name,
        region=bank.region,
        disciplines=disciplines,
        methods=methods,
        drives=drives,
        virtues=virtues,
        vices=vices,
        taboos=taboos,
        stats=stats,
        politics=politics,
        catchphrase=catchphrase,
        career=first_rung(content),
        contract=Contract(
            employer=INDEPENDENT, kind=EmployerKind.INDEPENDENT, term_years=term_years, since=at
        ),
        joined_at=at,
    )


def legend_scholar(legend: Legend, at: Instant) -> Scholar:
    """A legend as a scholar on the roster, employed by their institution."""
    return Scholar(
        id=ScholarId(legend.id),
        name=legend.name,
        seed=legend.seed,
        archetype=legend.archetype,
        region=legend.region,
        disciplines=legend.disciplines,
        methods=legend.methods,
        drives=legend.drives,
        virtues=legend.virtues,
        vices=legend.vices,
        taboos=legend.taboos,
        stats=legend.stats,
        politics=dict(legend.politics),
        catchphrase=legend.catchphrase,
        career=Career(tier=legend.tier, track=legend.track),
        contract=Contract(
            employer=legend.employer,
            kind=EmployerKind.INSTITUTION,
            term_years=legend.term_years,
            since=at,
        ),
        legend=True,
        joined_at=at,
    )


def fill_catchphrase(
    template: str,
    fills: Mapping[str, tuple[str, ...]],
    rng: random.Random,
    subject: str = "",
) -> str:
    """Fill a catchphrase's placeholders, left to right.

    The ``{topic}`` placeholder (:data:`SUBJECT_SLOT`) takes ``subject`` when one is given:
    what the scholar is reacting to, such as "the expedition to dig by the harbour". Every
    other placeholder, and ``{topic}`` without a subject, takes one of its fills drawn from
    ``rng``. A placeholder without fills is left as it is, so a reaction never fails on
    content (the loader refuses a pattern whose placeholder has no fills).

    Args:
        template: the scholar's catchphrase pattern.
        fills: the fills of each placeholder (``content.catchphrase_fills``).
        rng: draws the fills; the same state always gives the same phrase.
        subject: the event's subject as a noun phrase, or "" for none.
    """
    wanted = subject.strip()

    def pick(match: re.Match[str]) -> str:
        name = match.group(1)
        if wanted and name == SUBJECT_SLOT:
            return wanted
        options = fills.get(name)
        return rng.choice(options) if options else match.group(0)

    return _PLACEHOLDER.sub(pick, template)
