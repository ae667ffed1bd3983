"""A simulated season: computer-driven players play through the real rules engine.

Used by ``greatwork simulate`` (and so ``make run`` until the server lands), by the
benchmarks, and by tests that want a lived-in campaign. Bots pick legal-looking moves at
random; a refused move is counted and dropped, exactly as a player's would be.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypedDict

from greatwork.content import load_content
from greatwork.rules import command as rules_command
from greatwork.rules.campaign import new_campaign, start_campaign
from greatwork.rules.command import Command, Context
from greatwork.rules.conference import LaunchConference
from greatwork.rules.constants import DAY, HOUR, Confidence, ExpeditionType, Faction
from greatwork.rules.content import Content
from greatwork.rules.digest import run_digest, run_symposium
from greatwork.rules.economy import EndowArchive, Invest
from greatwork.rules.errors import RuleError
from greatwork.rules.event import Event, Tx
from greatwork.rules.expedition import LaunchExpedition
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.mentorship import Mentor
from greatwork.rules.offer import Poach
from greatwork.rules.recruitment import Recruit
from greatwork.rules.rng import command_rng
from greatwork.rules.state import CampaignState, EmployerKind, Terms, TheoryStatus
from greatwork.rules.symposium import SymposiumPropose, SymposiumVote
from greatwork.rules.theory import SubmitTheory

DIGEST_HOURS = (13, 21)
SYMPOSIUM_WEEKDAY = 4  # Friday; the epoch (1970-01-01) was a Thursday
SEASON_START = Instant(1_767_225_600)  # 2026-01-01 00:00 UTC

# What the bots argue about: a subject and a claim make a theory ("The sunken harbour was
# built twice"), an objective, or a symposium question. Every subject is a singular noun
# phrase and every claim a singular predicate, so each combination is a grammatical sentence.
SUBJECTS = (
    "the sunken harbour",
    "the tin road",
    "the oldest script",
    "the salt road",
    "the river temple",
    "the first glass kiln",
    "the great star chart",
    "the bronze wing",
    "the northern tomb",
    "the drowned city",
    "the lost archive",
    "the copper mine",
)
CLAIMS = (
    "was a temple",
    "predates writing",
    "was built twice",
    "is a later forgery",
    "was aligned to the stars",
    "was abandoned in a single winter",
    "served the tin trade",
    "was burned on purpose",
    "is older than the first kings",
    "was a ledger in disguise",
)
# Players write objectives both ways, as what is sought and as what to do: the bots do too.
OBJECTIVES = (
    "{subject}",
    "the lowest layer of {subject}",
    "the lost records of {subject}",
    "Survey {subject}",
    "Dig beneath {subject}",
    "Map {subject} from the air",
    "Prove that {claim}",
)
QUESTIONS = (
    "Can it be proved that {claim}?",
    "Is the evidence that {claim} sound?",
    "Should the Academy fund a second look at {subject}?",
    "Who owns the finds from {subject}?",
    "Ought {subject} to be closed to amateurs?",
    "What do we really know of {subject}?",
)
REASONS = (
    "The table has argued it in corridors for a month; let it be argued on the floor.",
    "Members are asked to weigh the evidence and vote.",
    "A question the field should settle before the next season.",
    "Proposed so that the quarrel moves from the common room to the record.",
)


def _claim(rng: random.Random) -> tuple[str, str]:
    """A subject and a whole claim about it: ("the tin road", "the tin road was a temple")."""
    subject = rng.choice(SUBJECTS)
    return subject, f"{subject} {rng.choice(CLAIMS)}"


def bot_theory(rng: random.Random) -> str:
    """A theory a bot submits: "The tin road predates writing"."""
    _, claim = _claim(rng)
    return claim[0].upper() + claim[1:]


def bot_objective(rng: random.Random) -> str:
    """An expedition objective, as a thing sought or a thing to do ("Survey the tin road")."""
    subject, claim = _claim(rng)
    return rng.choice(OBJECTIVES).format(subject=subject, claim=claim)


def bot_topic(rng: random.Random) -> tuple[str, str]:
    """A symposium question and its description, as a bot proposes them."""
    subject, claim = _claim(rng)
    topic = rng.choice(QUESTIONS).format(subject=subject, claim=claim)
    return topic[0].upper() + topic[1:], rng.choice(REASONS)


class _Who(TypedDict):
    actor: PlayerId
    at: Instant
    actor_name: str


@dataclass
class SimReport:
    """What a simulated season produced."""

    state: CampaignState
    events: list[Event] = field(default_factory=list)
    accepted: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    digests: int = 0


def _ctx(state: CampaignState, content: Content, salt: str) -> Context:
    return Context(content=content, rng=command_rng(state, salt))


def bot_move(
    state: CampaignState, player: PlayerId, rng: random.Random, at: Instant, n: int
) -> Command | None:
    """One plausible move for a bot, or None to pass."""
    mine = [s for s in state.scholars.values() if s.contract.player == player]
    free = [s for s in state.scholars.values() if s.contract.kind is not EmployerKind.PLAYER]
    others = [s for s in state.scholars.values() if s.contract.player not in (None, player)]
    theories = [
        t for t in state.theories.values() if t.player == player and t.status is TheoryStatus.OPEN
    ]
    base = _Who(actor=player, at=at, actor_name=f"Bot {player}")
    moves: list[Callable[[], Command]] = [
        lambda: SubmitTheory(
            **base,
            theory=bot_theory(rng),
            confidence=rng.choice(list(Confidence)),
        ),
        lambda: LaunchExpedition(
            **base,
            code=f"{player.upper()}-{n}",
            objective=bot_objective(rng),
            expedition_type=rng.choice(
                [ExpeditionType.THINK_TANK] * 3
                + [ExpeditionType.FIELD] * 2
                + [ExpeditionType.GREAT_PROJECT]
            ),
            confidence=rng.choice(
                [
                    Confidence.SUSPECT,
                    Confidence.CERTAIN,
                    Confidence.CERTAIN,
                    Confidence.STAKE_MY_CAREER,
                ]
            ),
            team=tuple(s.id for s in rng.sample(mine, min(len(mine), rng.randint(0, 3)))),
            theory=rng.choice(theories).id if theories and rng.random() < 0.7 else None,
        ),
    ]
    if free:
        moves.append(
            lambda: Recruit(**base, scholar=rng.choice(free).id, faction=rng.choice(list(Faction)))
        )
    if mine:
        moves.append(lambda: Mentor(**base, scholar=rng.choice(mine).id))
    if theories:
        pool = [s.id for s in state.scholars.values()]
        picks = rng.sample(pool, min(len(pool), 3))
        moves.append(
            lambda: LaunchConference(
                **base,
                theory=rng.choice(theories).id,
                confidence=Confidence.SUSPECT,
                supporters=tuple(picks[:2]),
                opposition=tuple(picks[2:]),
            )
        )
    if others:
        moves.append(
            lambda: Poach(
                **base,
                scholar=rng.choice(others).id,
                faction=rng.choice(list(Faction)),
                influence={rng.choice(list(Faction)): rng.randint(1, 3)},
                terms=Terms(exclusive_research=rng.random() < 0.3),
            )
        )
    if state.open_topic is not None:
        moves.append(lambda: SymposiumVote(**base, option=rng.randint(1, 3)))
    moves.append(lambda: _propose(base, rng))
    moves.append(lambda: Invest(**base, faction=rng.choice(list(Faction)), amount=3))
    moves.append(lambda: EndowArchive(**base, amount=4, faction=Faction.ACADEMIA))
    return rng.choice(moves)()


def _propose(base: _Who, rng: random.Random) -> SymposiumPropose:
    topic, description = bot_topic(rng)
    return SymposiumPropose(**base, topic=topic, description=description)


def _moments(days: int) -> Iterator[tuple[Instant, str]]:
    """Every digest and symposium in the season, in time order."""
    for day in range(days):
        midnight = SEASON_START + day * DAY
        if (midnight // DAY + 3) % 7 == SYMPOSIUM_WEEKDAY:
            yield Instant(midnight + 12 * HOUR), "symposium"
        for hour in DIGEST_HOURS:
            yield Instant(midnight + hour * HOUR), "digest"


def simulate(
    players: int = 6, days: int = 14, seed: int = 1, content: Content | None = None
) -> SimReport:
    """Play a season: bots move between ticks, digests run twice a day, symposia weekly."""
    content = content or load_content()
    rng = random.Random(seed)
    state = new_campaign(CampaignId(f"sim-{seed}"), seed, SEASON_START)
    tx = Tx(state)
    start_campaign(tx, _ctx(state, content, "start"), SEASON_START)
    report = SimReport(state=tx.state, events=list(tx.events))
    ids = [PlayerId(f"p{i + 1}") for i in range(players)]
    last = SEASON_START
    moves = 0
    for at, kind in _moments(days):
        for player in ids:
            for _ in range(rng.randint(0, 2)):
                moves += 1
                when = Instant(rng.randint(last, at - 1))
                command = bot_move(report.state, player, rng, when, moves)
                if command is None:
                    continue
                name = type(command).__name__
                try:
                    result = rules_command.execute(
                        report.state, command, _ctx(report.state, content, "cmd")
                    )
                except RuleError:
                    report.refused[name] += 1
                    continue
                report.accepted[name] += 1
                report.state = result.state
                report.events.extend(result.events)
        if kind == "digest":
            result = run_digest(
                report.state, report.state.last_digest + 1, at, _ctx(report.state, content, "d")
            )
            report.digests += 1
        else:
            result = run_symposium(report.state, at, _ctx(report.state, content, "s"))
        report.state = result.state
        report.events.extend(result.events)
        last = at
    return report
