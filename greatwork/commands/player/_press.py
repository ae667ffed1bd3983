"""The press and the table: the Gazette, the log export, archive links, sharing, talk."""

from __future__ import annotations

import json
from typing import Final

from greatwork.commands.options import Lookup, Option, OptionType
from greatwork.commands.player._shared import done, limit_option, screen, who
from greatwork.commands.render import (
    bullets,
    clip,
    journal_data,
    jsonable,
    plural,
    press_data,
    press_line,
    press_path,
)
from greatwork.commands.spec import Attachment, CommandSpec, Invocation, Reply
from greatwork.rules.errors import NotFound
from greatwork.rules.social import MAX_TABLE_TALK_LENGTH, PostTableTalk, SharePress

GAZETTE_DEFAULT: Final = 5
GAZETTE_MAX: Final = 20
EXPORT_DEFAULT: Final = 10
EXPORT_MAX: Final = 50
ARCHIVE_MATCHES: Final = 5
ARCHIVE_SCAN: Final = 500  # released items searched for a headline match, newest first
MAX_SEARCH_LENGTH: Final = 100


async def _gazette(inv: Invocation) -> Reply:
    items = await inv.game.press(limit=inv.options["limit"])
    return Reply(
        title="The Gazette",
        body=bullets((press_line(i) for i in items), "The Gazette has printed nothing yet."),
        data=jsonable({"press": [press_data(i) for i in items]}),
    )


async def _export_log(inv: Invocation) -> Reply:
    limit = inv.options["limit"]
    entries = await inv.game.journal(limit=limit)
    items = await inv.game.press(limit=limit)
    events = [journal_data(e) for e in entries]
    press = [press_data(i, body=True) for i in items]
    export = {"campaign": inv.game.campaign_id, "events": events, "press": press}
    first = entries[-1].seq if entries else 0
    last = entries[0].seq if entries else 0
    body = (
        "Events, newest first:\n"
        + bullets((f"{e['at']} {e['kind']}" for e in events), "none")
        + "\nPress, newest first:\n"
        + bullets((f"{p['at']} | {p['headline']}" for p in press), "none")
    )
    return Reply(
        title=f"The last {plural(len(events), 'event')} and {len(press)} press",
        body=body,
        ephemeral=True,
        data=jsonable(export),
        files=(
            Attachment(
                filename=f"greatwork-log-{inv.game.campaign_id}-{first}-{last}.json",
                content=json.dumps(jsonable(export), indent=2, ensure_ascii=False),
            ),
        ),
    )


async def _archive_link(inv: Invocation) -> Reply:
    wanted = inv.options["headline_search"]
    found = await inv.game.press(limit=ARCHIVE_SCAN, query=wanted)
    key = wanted.casefold()
    matches = [i for i in found if key in i.headline.casefold()][:ARCHIVE_MATCHES]
    if not matches:
        raise NotFound(
            f"No released headline contains `{wanted}`; /gazette lists recent ones.",
            headline_search=wanted,
        )
    rows = [f"#{i.id} · {i.headline} · {press_path(i.id)}" for i in matches]
    return Reply(
        title=f"Archive links: {plural(len(matches), 'match', 'matches')}",
        body=bullets(rows),
        data=jsonable({"matches": [press_data(i) for i in matches]}),
    )


async def _share_press(inv: Invocation) -> Reply:
    press_id = inv.options["press_id"]
    item = await inv.game.press_item(press_id)
    if item is None:
        raise NotFound(
            f"Press item #{press_id} does not exist or is not released yet; /gazette lists "
            "recent ones.",
            press_id=press_id,
        )
    outcome = await inv.game.execute(SharePress(**who(inv), press_id=item.id))
    body = f"{inv.display_name} shares #{item.id}: **{item.headline}**\n{clip(item.body, 1500)}"
    return done(
        outcome,
        f"Shared press #{item.id}",
        body,
        {"press_id": item.id} | press_data(item, body=True),
    )


async def _table_talk(inv: Invocation) -> Reply:
    await screen(inv, "table_talk", inv.options["message"])
    outcome = await inv.game.execute(PostTableTalk(**who(inv), message=inv.options["message"]))
    return done(
        outcome,
        "Posted to table-talk",
        f"{inv.display_name}: {inv.options['message'].strip()}",
        {"message": inv.options["message"].strip()},
        public=False,
        ephemeral=True,
    )


SHARE_PRESS: Final = CommandSpec(
    name="share_press",
    description="Share a released press item with the table",
    handler=_share_press,
    options=(
        Option(
            name="press_id",
            description="The press item's number (#12)",
            type=OptionType.INTEGER,
            required=True,
            min_value=1,
            lookup=Lookup.PRESS,
        ),
    ),
)


GAZETTE: Final = CommandSpec(
    name="gazette",
    description="The latest Gazette headlines",
    handler=_gazette,
    options=(limit_option(GAZETTE_DEFAULT, GAZETTE_MAX, "headlines"),),
)


EXPORT_LOG: Final = CommandSpec(
    name="export_log",
    description="The latest events and press, with the full JSON attached",
    handler=_export_log,
    options=(limit_option(EXPORT_DEFAULT, EXPORT_MAX, "events and press items"),),
    ephemeral=True,
)


ARCHIVE_LINK: Final = CommandSpec(
    name="archive_link",
    description="Find press by headline: up to 5 matches with their archive links",
    handler=_archive_link,
    options=(
        Option(
            name="headline_search",
            description="Words the headline contains (any case)",
            required=True,
            min_length=1,
            max_length=MAX_SEARCH_LENGTH,
        ),
    ),
)


TABLE_TALK: Final = CommandSpec(
    name="table_talk",
    description="Say something to the table",
    handler=_table_talk,
    options=(
        Option(
            name="message",
            description=f"What you say (1-{MAX_TABLE_TALK_LENGTH} characters)",
            required=True,
            min_length=1,
            max_length=MAX_TABLE_TALK_LENGTH,
        ),
    ),
)
