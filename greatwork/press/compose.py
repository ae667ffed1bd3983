"""Compose press releases from journaled events (GAME_RULES.md section 4).

``compose(events, state, content)`` is pure and deterministic: for each newsworthy event, in
order, a writer picks the occasion and fills its fields, and the occasion's template from
``press.yaml`` gives the wording. When a template has several variants, the choice is a hash
of ``(state.seed, seq, occasion)``, never the global RNG. Layered follow-ups, persona voice and
moderation (issue 5) take these drafts as their input.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping, Sequence
from typing import Final

from greatwork.content._press import DEFAULT_CAPS, Caps, caps_for
from greatwork.press import _admin, _civic, _economy, _people, _research, _roster, highlights
from greatwork.press._desk import ELLIPSIS, Desk, Story, Writer, cut, stable_hash
from greatwork.press.item import PressDraft
from greatwork.press.layers import Told, follow_ups
from greatwork.press.occasions import OCCASIONS
from greatwork.rules.content import Content, PressTemplate
from greatwork.rules.event import Event
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState

__all__ = [
    "ELLIPSIS",
    "MAX_BODY",
    "MAX_HEADLINE",
    "SILENT",
    "WRITERS",
    "Caps",
    "caps_for",
    "compose",
    "cut",
    "newsworthy",
    "write",
]

logger = logging.getLogger(__name__)

# The largest caps of any press type; each type's own are ``caps_for(kind)`` (the table is in
# the content loader, greatwork/content/_press.py).
MAX_HEADLINE: Final = DEFAULT_CAPS.headline
MAX_BODY: Final = DEFAULT_CAPS.body
MISSING: Final = "—"  # stands in for a field a writer failed to fill (logged as an error)

WRITERS: Final[Mapping[str, Writer]] = {
    **_research.WRITERS,
    **_people.WRITERS,
    **_roster.WRITERS,
    **_civic.WRITERS,
    **_economy.WRITERS,
    **_admin.WRITERS,
    **highlights.WRITERS,  # a digest's end: what falls due next (section 3.16 step 3)
}

# Events that never make the Gazette, and why. Every event type is either written or here
# (a test checks it), so a new event is a deliberate choice.
SILENT: Final = frozenset(
    {
        # bookkeeping and consequences, reported with their cause
        "InfluenceChanged",
        "ReputationChanged",
        "ScholarRecruited",  # RecruitAttempted reports it
        "ResolveHardened",  # NegotiationResolved reports it
        "SidewaysDiscovered",  # the expedition's report prints it
        "LandmarkOpened",  # the expedition's report prints it
        "CooldownSet",
        "CooldownsTicked",
        "CareerTicked",  # promotions are news; a tick is not
        "DebtChanged",  # pledges, charges and reprisals report it
        "UpkeepCharged",
        "OrderScheduled",
        "OrderCompleted",
        "PlayerJoined",
        "PlayerActive",
        "DigestStarted",
        # a scholar's inner life
        "FeelingChanged",
        "FactRecorded",
        "ScarRecorded",
        "FeelingsDecayed",
        "SidecastUnattended",
        "SidecastAttended",
        # operations: the pause they may cause is printed, the streak is not
        "LlmFailureRecorded",
        "LlmRecovered",
        # moderation is private to the admins (text hashes, snippets of refused text)
        "ModerationOverrideAdded",
        "ModerationOverrideRemoved",
        "TextModerated",
    }
)

_SPACES = re.compile(r"[ \t]+")


class _Values(dict[str, str]):
    """Field values; a placeholder no occasion offers prints as a dash (and is logged)."""

    def __missing__(self, key: str) -> str:
        logger.error("Press template uses an unknown field {%s}", key)
        return MISSING


def newsworthy(event: Event) -> bool:
    """Whether some writer handles this kind of event (it may still decline one instance)."""
    return type(event).__name__ in WRITERS


def write(
    event: Event,
    seq: int,
    state: CampaignState,
    content: Content,
    batch: Sequence[tuple[int, Event]] = (),
) -> Story | None:
    """The story of one event, or None if it is not news."""
    writer = WRITERS.get(type(event).__name__)
    if writer is None:
        return None
    return writer(event, Desk(state, content, seq, batch))


def compose(
    events: Sequence[tuple[int, Event]],
    state: CampaignState,
    content: Content,
) -> list[PressDraft]:
    """Compose one draft per newsworthy event, in event order, then their layered follow-ups.

    Args:
        events: ``(journal seq, event)`` of one command or one digest, in order.
        state: the campaign's state after those events.
        content: the content, whose ``press_templates`` give the wording.

    Returns:
        The main drafts, each released at its event's time and carrying its seq, then the
        layers of section 4.3 (``greatwork.press.layers``), in release order, each with
        ``meta["layer"] = True`` and a later ``release_at`` (or the same, for a delay of 0).
    """
    batch = tuple(events)
    drafts: list[PressDraft] = []
    told: list[Told] = []
    for seq, event in batch:
        story = write(event, seq, state, content, batch)
        if story is None:
            continue
        draft = _draft(story, event, seq, state, content)
        if draft is not None:
            drafts.append(draft)
            told.append(Told(seq, event, story, draft.kind))
    layers = [
        draft
        for follow in follow_ups(told, Desk(state, content, 0, batch))
        if (
            draft := _draft(
                follow.story,
                follow.event,
                follow.seq,
                state,
                content,
                release_at=follow.release_at,
                salt=follow.salt,
            )
        )
        is not None
    ]
    layers.sort(key=lambda d: d.release_at)  # stable: a batch's ids follow release order
    return drafts + layers


def _draft(
    story: Story,
    event: Event,
    seq: int,
    state: CampaignState,
    content: Content,
    *,
    release_at: Instant | None = None,
    salt: str = "",
) -> PressDraft | None:
    occasion = OCCASIONS.get(story.occasion)
    template = content.press_templates.get(story.occasion)
    if occasion is None or template is None:
        logger.warning("No press template for occasion %r (event %s)", story.occasion, event.kind)
        return None
    values = _values(story, state.year)
    headline = _fill_line(_pick(template, "headline", state.seed, seq, salt), values)
    body = "\n".join(
        _fill_line(line, values)
        for line in _pick(template, "body", state.seed, seq, salt).splitlines()
        if line.strip() and all(values.get(name) for name in _names(line))
    )
    meta = {"occasion": story.occasion, "event": event.kind, "year": state.year, **story.meta}
    caps = caps_for(occasion.kind, story.occasion)
    return PressDraft(
        kind=occasion.kind,
        headline=cut(headline, caps.headline),
        body=cut(body, caps.body),
        at=event.at,
        release_at=event.at if release_at is None else release_at,
        seq=seq,
        meta=meta,
    )


def _values(story: Story, year: int) -> _Values:
    occasion = OCCASIONS[story.occasion]
    values = {"year": str(year)} | {key: str(value) for key, value in story.fields.items()}
    missing = sorted(occasion.fields - values.keys())
    extra = sorted(values.keys() - occasion.allowed)
    if missing or extra:
        logger.error(
            "Press writer for %r: missing fields %s, unexpected fields %s",
            story.occasion,
            missing,
            extra,
        )
    return _Values({name: values.get(name, MISSING) for name in occasion.allowed})


def _names(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def _pick(template: PressTemplate, part: str, seed: int, seq: int, salt: str = "") -> str:
    """One variant of the headline or the body, chosen by a hash of (seed, seq, occasion).

    ``salt`` tells apart several items of one occasion from one event (the layers).
    """
    options = template.headlines if part == "headline" else template.bodies
    if len(options) == 1:
        return options[0]
    parts: tuple[object, ...] = (seed, seq, template.occasion, part)
    if salt:
        parts = (*parts, salt)
    return options[stable_hash(*parts) % len(options)]


def _fill_line(text: str, values: Mapping[str, str]) -> str:
    filled = text.format_map(values)
    return _SPACES.sub(" ", filled.replace("\n", " ")).strip()
