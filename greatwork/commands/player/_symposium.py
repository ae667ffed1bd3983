"""The weekly symposium: votes, proposals, the backlog and a player's standing."""

from __future__ import annotations

from typing import Final

from greatwork.commands.options import Choice, Option, OptionType
from greatwork.commands.player._shared import done, screen, viewer_state, who
from greatwork.commands.render import (
    bullets,
    clip,
    event_of,
    influence_text,
    iso,
    jsonable,
    player_name,
    when,
)
from greatwork.commands.spec import CommandSpec, Invocation, Reply
from greatwork.rules.proposal import (
    MAX_PROPOSAL_DESCRIPTION,
    MAX_PROPOSAL_TOPIC,
    PROPOSAL_LIFETIME,
    ProposalSubmitted,
    SymposiumPropose,
    pending_proposals,
)
from greatwork.rules.symposium import OPTION_NAMES, SymposiumVote, SymposiumVoted
from greatwork.rules.view import symposium_backlog, symposium_standing

VOTE_CHOICES: Final = tuple(Choice(name=f"{n}: {OPTION_NAMES[n]}", value=n) for n in OPTION_NAMES)


async def _symposium_vote(inv: Invocation) -> Reply:
    outcome = await inv.game.execute(SymposiumVote(**who(inv), option=inv.options["option"]))
    e = event_of(outcome, SymposiumVoted)
    topic = outcome.state.topics[e.topic]
    body = (
        f"{inv.display_name} votes {e.option} ({OPTION_NAMES[e.option]}) on “{topic.title}”. "
        "A new vote replaces this one; votes are counted at the weekly symposium."
    )
    return done(
        outcome,
        f"Vote cast: {OPTION_NAMES[e.option]}",
        body,
        {
            "topic": e.topic,
            "title": topic.title,
            "option": e.option,
            "choice": OPTION_NAMES[e.option],
        },
    )


async def _symposium_propose(inv: Invocation) -> Reply:
    opts = inv.options
    await screen(inv, "symposium_topic", opts["topic"])
    await screen(inv, "symposium_description", opts["description"])
    outcome = await inv.game.execute(
        SymposiumPropose(**who(inv), topic=opts["topic"], description=opts["description"])
    )
    p = event_of(outcome, ProposalSubmitted).proposal
    expires = p.created_at + PROPOSAL_LIFETIME
    body = (
        f"{inv.display_name} proposes “{p.topic}”: {p.description}\n"
        f"It waits in the backlog until chosen or until {when(expires)}."
    )
    return done(
        outcome,
        f"Proposal {p.id} submitted",
        body,
        {"proposal": p.id, "topic": p.topic, "description": p.description, "expires": iso(expires)},
    )


async def _symposium_proposals(inv: Invocation) -> Reply:
    state = inv.game.state()
    waiting = pending_proposals(state)
    rows = [
        f"{p.id} · {player_name(state, p.player)} · “{p.topic}”: {clip(p.description, 160)}"
        for p in waiting
    ]
    data = [
        {
            "id": p.id,
            "player": p.player,
            "topic": p.topic,
            "description": p.description,
            "created_at": iso(p.created_at),
            "expires": iso(p.created_at + PROPOSAL_LIFETIME),
        }
        for p in waiting
    ]
    return Reply(
        title=f"Symposium proposals: {len(waiting)} waiting",
        body=bullets(rows, "No proposals wait: /symposium_propose suggests one."),
        data=jsonable({"proposals": data}),
    )


async def _symposium_backlog(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines, debts = symposium_backlog(state, inv.at)
    rows = [
        f"{line.proposal.id} · score {line.score:.2f} · {line.age_days:.1f} days old · "
        f"“{line.proposal.topic}” ({player_name(state, line.proposal.player)})"
        for line in lines
    ]
    owing = [
        f"{player_name(state, d.player)}: {d.amount} {d.faction} (reprisals {d.reprisal_level})"
        for d in debts
    ]
    body = (
        "Next in line first (score: waiting time up to 1, +0.5 for a fresh voice, -0.75 for a "
        "recent proposer).\n"
        + bullets(rows, "The backlog is empty.")
        + "\nSymposium debts:\n"
        + bullets(owing, "Nobody owes the symposium anything.")
    )
    return Reply(
        title="Symposium backlog",
        body=body,
        data=jsonable(
            {
                "proposals": [
                    {
                        "id": line.proposal.id,
                        "player": line.proposal.player,
                        "topic": line.proposal.topic,
                        "score": line.score,
                        "age_days": line.age_days,
                        "expires": iso(line.expires_at),
                    }
                    for line in lines
                ],
                "debts": [
                    {
                        "player": d.player,
                        "faction": d.faction,
                        "amount": d.amount,
                        "reprisal_level": d.reprisal_level,
                    }
                    for d in debts
                ],
            }
        ),
    )


async def _symposium_status(inv: Invocation) -> Reply:
    state = viewer_state(inv)
    view = symposium_standing(state, inv.player, inv.at)
    topic = view.topic
    lines = []
    if topic is None:
        lines.append("No topic is open for votes.")
    else:
        vote = (
            f"you voted {view.vote} ({OPTION_NAMES[view.vote]})"
            if view.vote
            else "you have not voted"
        )
        lines.append(f"Open: {topic.id} “{topic.title}”: {vote}.")
        if view.pledge is not None:
            where = f" {view.pledge.faction}" if view.pledge.faction else ""
            lines.append(f"Your pledge: {view.pledge.amount}{where} ({view.pledge.status}).")
        else:
            lines.append("You made no pledge on this topic.")
    grace = "spent" if view.grace_used else "available"
    if view.grace_resets_at is not None:
        grace += f" (back on {when(view.grace_resets_at)})"
    lines.append(f"Missed in a row: {view.miss_streak}. Free miss: {grace}.")
    lines.append(f"Symposium debt: {influence_text(view.debts)}. Next pledge: {view.next_pledge}.")
    pledge = view.pledge
    return Reply(
        title="Your symposium standing",
        body="\n".join(lines),
        ephemeral=True,
        data=jsonable(
            {
                "topic": None
                if topic is None
                else {"id": topic.id, "title": topic.title, "description": topic.description},
                "vote": view.vote,
                "pledge": None
                if pledge is None
                else {"amount": pledge.amount, "faction": pledge.faction, "status": pledge.status},
                "miss_streak": view.miss_streak,
                "grace_used": view.grace_used,
                "grace_resets_at": iso(view.grace_resets_at) if view.grace_resets_at else None,
                "debts": {str(f): n for f, n in view.debts.items()},
                "next_pledge": view.next_pledge,
            }
        ),
    )


SYMPOSIUM_VOTE: Final = CommandSpec(
    name="symposium_vote",
    description="Vote on the open symposium topic: 1 support, 2 oppose, 3 further study",
    handler=_symposium_vote,
    options=(
        Option(
            name="option",
            description="1 support, 2 oppose, 3 further study",
            type=OptionType.INTEGER,
            required=True,
            choices=VOTE_CHOICES,
        ),
    ),
)


SYMPOSIUM_PROPOSE: Final = CommandSpec(
    name="symposium_propose",
    description="Suggest a topic for a future symposium",
    handler=_symposium_propose,
    options=(
        Option(
            name="topic",
            description=f"The question (1-{MAX_PROPOSAL_TOPIC} characters)",
            required=True,
            min_length=1,
            max_length=MAX_PROPOSAL_TOPIC,
        ),
        Option(
            name="description",
            description=f"What it is about (1-{MAX_PROPOSAL_DESCRIPTION} characters)",
            required=True,
            min_length=1,
            max_length=MAX_PROPOSAL_DESCRIPTION,
        ),
    ),
)


SYMPOSIUM_PROPOSALS: Final = CommandSpec(
    name="symposium_proposals",
    description="The symposium proposals waiting, oldest first",
    handler=_symposium_proposals,
)


SYMPOSIUM_BACKLOG: Final = CommandSpec(
    name="symposium_backlog",
    description="How the next symposium would rank the proposals, and who owes debts",
    handler=_symposium_backlog,
)


SYMPOSIUM_STATUS: Final = CommandSpec(
    name="symposium_status",
    description="Your vote, pledge, free miss and symposium debts",
    handler=_symposium_status,
    ephemeral=True,
)
