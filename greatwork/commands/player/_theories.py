"""Theories, expeditions and conferences: the moves that wager reputation."""

from __future__ import annotations

from typing import Final

from greatwork.commands.lookup import resolve_scholars, resolve_theory
from greatwork.commands.options import Choice, Lookup, Option, OptionType
from greatwork.commands.player._shared import FACTION_CHOICES, done, screen, who
from greatwork.commands.render import (
    clip,
    event_of,
    influence_text,
    iso,
    scholar_name,
    signed,
    when,
)
from greatwork.commands.spec import CommandSpec, Field, Invocation, Reply
from greatwork.rules.conference import (
    LAUNCH_COST,
    PER_SCHOLAR,
    ConferenceLaunched,
    LaunchConference,
)
from greatwork.rules.constants import (
    EXPEDITION_COSTS,
    EXPEDITION_GATES,
    MAX_CODE_LENGTH,
    MAX_OBJECTIVE_LENGTH,
    MAX_TEAM_SIZE,
    MAX_THEORY_LENGTH,
    THEORY_DEFAULT_DEADLINE_DAYS,
    THEORY_MAX_DEADLINE_DAYS,
    WAGERS,
    Confidence,
    ExpeditionType,
    Faction,
)
from greatwork.rules.expedition import ExpeditionLaunched, LaunchExpedition
from greatwork.rules.theory import SubmitTheory, TheorySubmitted

CONFIDENCE_CHOICES: Final = tuple(
    Choice(name=f"{c.replace('_', ' ')} (+{r} / {p})", value=str(c)) for c, (r, p) in WAGERS.items()
)
TYPE_CHOICES: Final = tuple(
    Choice(
        name=(
            f"{t.replace('_', ' ')} (cost {EXPEDITION_COSTS[t]}, reputation {EXPEDITION_GATES[t]}+)"
        ),
        value=str(t),
    )
    for t in ExpeditionType
)


def _panel_option(name: str, description: str) -> Option:
    return Option(
        name=name,
        description=description,
        lookup=Lookup.SCHOLAR,
        many=True,
        max_items=MAX_TEAM_SIZE,
        default=(),
    )


def _confidence_option() -> Option:
    return Option(
        name="confidence",
        description="The reputation wager: suspect, certain or stake_my_career",
        required=True,
        choices=CONFIDENCE_CHOICES,
    )


async def _submit_theory(inv: Invocation) -> Reply:
    opts = inv.options
    await screen(inv, "theory", opts["theory"])
    supporters = resolve_scholars(inv.game.state(), opts["supporters"])
    outcome = await inv.game.execute(
        SubmitTheory(
            **who(inv),
            theory=opts["theory"],
            confidence=Confidence(opts["confidence"]),
            supporters=supporters,
            deadline_days=opts["deadline"],
        )
    )
    theory = event_of(outcome, TheorySubmitted).theory
    reward, penalty = WAGERS[theory.confidence]
    state = outcome.state
    named = ", ".join(scholar_name(state, s) for s in theory.supporters) or "none"
    body = (
        f"{inv.display_name} wagers **{theory.confidence}** on “{theory.text}”.\n"
        f"Supporters: {named}.\n"
        "An expedition citing it or a conference about it judges it: vindicated pays "
        f"{signed(reward)}, refuted costs {signed(penalty)}. Unjudged, it lapses on "
        f"{when(theory.deadline)} with no change."
    )
    return done(
        outcome,
        f"Theory {theory.id} is on the record",
        body,
        {
            "theory_id": theory.id,
            "text": theory.text,
            "confidence": theory.confidence,
            "supporters": list(theory.supporters),
            "deadline": iso(theory.deadline),
            "reward": reward,
            "penalty": penalty,
        },
        (Field(name="Wager", value=f"{signed(reward)} / {signed(penalty)}", inline=True),),
    )


async def _launch_expedition(inv: Invocation) -> Reply:
    opts = inv.options
    await screen(inv, "objective", opts["objective"])
    state = inv.game.state()
    team = resolve_scholars(state, opts["team"])
    theory = resolve_theory(state, opts["theory"]) if opts["theory"] else None
    outcome = await inv.game.execute(
        LaunchExpedition(
            **who(inv),
            code=opts["code"],
            objective=opts["objective"],
            expedition_type=ExpeditionType(opts["expedition_type"]),
            confidence=Confidence(opts["confidence"]),
            team=team,
            funding=tuple(Faction(f) for f in opts["funding"]),
            theory=theory,
        )
    )
    e = event_of(outcome, ExpeditionLaunched).expedition
    after = outcome.state
    members = ", ".join(scholar_name(after, s) for s in e.team) or "none"
    cited = f"Cites theory {e.theory}." if e.theory else "Cites no theory."
    body = (
        f"{inv.display_name} launches a {e.type.replace('_', ' ')} expedition: “{e.objective}”.\n"
        f"Team: {members}. {cited}\n"
        f"Paid: {influence_text(e.paid)}.\n"
        f"Modifiers: preparation {signed(e.prep)}, expertise {signed(e.expertise)}, "
        f"friction {signed(e.friction)}: **{signed(e.modifier)}**, depth {e.depth}.\n"
        "It resolves at the next digest: d100 + modifier; under 40 fails, 40-64 partial, "
        "65-84 success, 85+ landmark."
    )
    return done(
        outcome,
        f"Expedition {e.code} launched",
        body,
        {
            "code": e.code,
            "type": e.type,
            "objective": e.objective,
            "confidence": e.confidence,
            "team": list(e.team),
            "funding": list(e.funding),
            "paid": {str(f): n for f, n in e.paid.items()},
            "cost": sum(e.paid.values()),
            "theory": e.theory,
            "prep": e.prep,
            "expertise": e.expertise,
            "friction": e.friction,
            "modifier": e.modifier,
            "depth": e.depth,
        },
        (
            Field(name="Modifier", value=signed(e.modifier), inline=True),
            Field(name="Depth", value=str(e.depth), inline=True),
        ),
    )


async def _conference(inv: Invocation) -> Reply:
    opts = inv.options
    state = inv.game.state()
    theory = resolve_theory(state, opts["theory_id"])
    supporters = resolve_scholars(state, opts["supporters"])
    opposition = resolve_scholars(state, opts["opposition"])
    outcome = await inv.game.execute(
        LaunchConference(
            **who(inv),
            theory=theory,
            confidence=Confidence(opts["confidence"]),
            supporters=supporters,
            opposition=opposition,
        )
    )
    c = event_of(outcome, ConferenceLaunched).conference
    after = outcome.state
    modifier = PER_SCHOLAR * (len(c.supporters) - len(c.opposition))
    body = (
        f"{inv.display_name} calls a conference on {c.theory} "
        f"(“{clip(after.theories[c.theory].text, 120)}”), wagering **{c.confidence}**.\n"
        f"Supporters: {', '.join(scholar_name(after, s) for s in c.supporters) or 'none'}.\n"
        f"Opposition: {', '.join(scholar_name(after, s) for s in c.opposition) or 'none'}.\n"
        f"Cost: {influence_text(LAUNCH_COST)}. At the next digest: d100 "
        f"{'-' if modifier < 0 else '+'} {abs(modifier)}; "
        "60+ success, 40-59 partial, under 40 failure."
    )
    return done(
        outcome,
        f"Conference {c.code} called",
        body,
        {
            "code": c.code,
            "theory": c.theory,
            "confidence": c.confidence,
            "supporters": list(c.supporters),
            "opposition": list(c.opposition),
            "cost": {str(f): n for f, n in LAUNCH_COST.items()},
            "modifier": modifier,
        },
    )


SUBMIT_THEORY: Final = CommandSpec(
    name="submit_theory",
    description="Put a theory on the record and wager reputation on it",
    handler=_submit_theory,
    options=(
        Option(
            name="theory",
            description=f"The claim (1-{MAX_THEORY_LENGTH} characters)",
            required=True,
            min_length=1,
            max_length=MAX_THEORY_LENGTH,
        ),
        _confidence_option(),
        _panel_option("supporters", "Scholars who back it, comma-separated (at most 6)"),
        Option(
            name="deadline",
            description=(
                f"Days until it lapses unjudged (1-{THEORY_MAX_DEADLINE_DAYS}, "
                f"default {THEORY_DEFAULT_DEADLINE_DAYS})"
            ),
            type=OptionType.INTEGER,
            default=THEORY_DEFAULT_DEADLINE_DAYS,
            min_value=1,
            max_value=THEORY_MAX_DEADLINE_DAYS,
        ),
    ),
)


LAUNCH_EXPEDITION: Final = CommandSpec(
    name="launch_expedition",
    description="Launch an expedition; it resolves at the next digest",
    handler=_launch_expedition,
    options=(
        Option(
            name="code",
            description=f"Your name for it: 1-{MAX_CODE_LENGTH} letters, digits, - or _",
            required=True,
            min_length=1,
            max_length=MAX_CODE_LENGTH,
            lookup=Lookup.EXPEDITION,
        ),
        Option(
            name="objective",
            description=f"What it sets out to find (1-{MAX_OBJECTIVE_LENGTH} characters)",
            required=True,
            min_length=1,
            max_length=MAX_OBJECTIVE_LENGTH,
        ),
        Option(
            name="expedition_type",
            description="think_tank, field or great_project",
            required=True,
            choices=TYPE_CHOICES,
        ),
        _confidence_option(),
        _panel_option("team", "Scholars you employ, comma-separated (at most 6)"),
        Option(
            name="funding",
            description="Factions that pay, comma-separated (at most 3; default by type)",
            choices=FACTION_CHOICES,
            many=True,
            max_items=3,
            default=(),
        ),
        Option(
            name="theory",
            description="One of your open theories for the outcome to judge",
            max_length=32,
            lookup=Lookup.THEORY,
        ),
    ),
)


CONFERENCE: Final = CommandSpec(
    name="conference",
    description="Debate one of your open theories at the next digest (1 academia)",
    handler=_conference,
    options=(
        Option(
            name="theory_id",
            description="Your open theory (T-3)",
            required=True,
            max_length=32,
            lookup=Lookup.THEORY,
        ),
        _confidence_option(),
        _panel_option("supporters", "Scholars for it, comma-separated (+5 each, at most 6)"),
        _panel_option("opposition", "Scholars against it, comma-separated (-5 each, at most 6)"),
    ),
)
