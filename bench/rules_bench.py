"""Benchmarks of the rules engine (run by hand: ``make bench``; figures go in the issue note).

1. Resolve 10,000 expeditions (100 digests of 100 pending expeditions each).
2. Run 1,000 digests of a campaign with 30 scholars and 8 players who keep playing.

CPU time is measured with ``time.process_time``; the target is a digest under 2 ms of CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import time

from greatwork.content import load_content
from greatwork.rules.campaign import new_campaign, start_campaign
from greatwork.rules.command import Context, execute
from greatwork.rules.constants import DAY, HOUR, Confidence, ExpeditionType, Faction
from greatwork.rules.digest import run_digest
from greatwork.rules.errors import RuleError
from greatwork.rules.event import Tx
from greatwork.rules.expedition import LaunchExpedition, resolve_pending
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.player import ensure_player
from greatwork.rules.recruitment import Recruit
from greatwork.rules.rng import command_rng
from greatwork.rules.roster import ScholarSpawned, generate_next
from greatwork.rules.state import CampaignState, EmployerKind
from greatwork.rules.theory import SubmitTheory
from greatwork.sim import SEASON_START

CONTENT = load_content()
PLAYERS = [PlayerId(f"p{i}") for i in range(1, 9)]


def _ctx(state: CampaignState, salt: str) -> Context:
    return Context(content=CONTENT, rng=command_rng(state, salt))


def _campaign(scholars: int) -> CampaignState:
    state = new_campaign(CampaignId("bench"), 42, SEASON_START)
    tx = Tx(state)
    start_campaign(tx, _ctx(state, "start"), SEASON_START)
    for player in PLAYERS:
        ensure_player(tx, player, player.upper(), SEASON_START)
    # Grow the roster past the 20 the campaign starts with, with the roster's own generator.
    while len(tx.state.scholars) < scholars:
        scholar = generate_next(tx.state, CONTENT, SEASON_START)
        tx.emit(ScholarSpawned(at=SEASON_START, scholar=scholar, reason="bench"))
    return tx.state


def _rich(state: CampaignState) -> CampaignState:
    """Every player holds plenty of influence, so launches never fail for money."""
    players = {
        pid: dataclasses.replace(p, influence=dict.fromkeys(Faction, 1_000), reputation=20)
        for pid, p in state.players.items()
    }
    return dataclasses.replace(state, players=players)


def bench_expeditions(total: int, per_digest: int) -> None:
    state = _rich(_campaign(30))
    at = SEASON_START
    cpu = 0.0
    resolved = 0
    for batch in range(total // per_digest):
        for i in range(per_digest):
            player = PLAYERS[i % len(PLAYERS)]
            cmd = LaunchExpedition(
                actor=player,
                at=at,
                code=f"B{batch}X{i}",
                objective="Measure the engine",
                expedition_type=list(ExpeditionType)[i % 3],
                confidence=Confidence.CERTAIN,
            )
            state = execute(state, cmd, _ctx(state, "x")).state
        state = _rich(state)
        tx = Tx(state)
        t0 = time.process_time()
        resolve_pending(tx, _ctx(state, "r"), at, batch + 1)
        cpu += time.process_time() - t0
        resolved += per_digest
        state = _rich(tx.state)
        at = Instant(at + HOUR)
    print(
        f"expeditions: {resolved} resolved in {cpu * 1000:.0f} ms CPU "
        f"({cpu / resolved * 1e6:.1f} us each)"
    )


def _play(state: CampaignState, at: Instant, n: int) -> CampaignState:
    """A little activity before each digest: a theory, an expedition and a recruit attempt."""
    player = PLAYERS[n % len(PLAYERS)]
    free = [s.id for s in state.scholars.values() if s.contract.kind is not EmployerKind.PLAYER]
    commands = [
        SubmitTheory(actor=player, at=at, theory=f"Theory {n}", confidence=Confidence.SUSPECT),
        LaunchExpedition(
            actor=player,
            at=at,
            code=f"D{n}",
            objective="Keep the world moving",
            expedition_type=ExpeditionType.THINK_TANK,
            confidence=Confidence.SUSPECT,
        ),
    ]
    if free:
        commands.append(
            Recruit(actor=player, at=at, scholar=free[n % len(free)], faction=Faction.ACADEMIA)
        )
    for cmd in commands:
        with contextlib.suppress(RuleError):
            state = execute(state, cmd, _ctx(state, "p")).state
    return state


def bench_digests(count: int) -> None:
    state = _campaign(30)
    times = []
    events = 0
    at = SEASON_START
    for n in range(1, count + 1):
        at = Instant(SEASON_START + n * DAY // 2)
        state = _rich(_play(state, Instant(at - 60), n))
        t0 = time.process_time()
        result = run_digest(state, state.last_digest + 1, at, _ctx(state, "d"))
        times.append(time.process_time() - t0)
        events += len(result.events)
        state = result.state
    ms = sorted(t * 1000 for t in times)
    print(
        f"digests: {count} of {len(state.scholars)} scholars, {len(state.players)} players: "
        f"median {statistics.median(ms):.3f} ms, p95 {ms[int(0.95 * len(ms))]:.3f} ms, "
        f"max {ms[-1]:.3f} ms CPU; {events / count:.1f} events per digest"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--expeditions", type=int, default=10_000)
    parser.add_argument("--digests", type=int, default=1_000)
    args = parser.parse_args()
    bench_expeditions(args.expeditions, 100)
    bench_digests(args.digests)


if __name__ == "__main__":
    main()
