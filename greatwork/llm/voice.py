"""Persona voice for one press item: the model's text replaces the template only if safe (D14).

``await enhance(item, state, backend=..., now=...)`` decides whether the item's press type may
be enhanced (section 4.2), asks the model (an :class:`~greatwork.llm.client.LlmClient`, or
:class:`MockVoice`), and keeps the answer only if, in this order:

1. it is not empty (after dropping ``<think>`` blocks and wrapping quotes);
2. it fits the body cap: a longer answer is cut on a word (``compose.cut``, 1,500 characters by
   default);
3. moderation lets it through (the ``moderate`` callable; the default allows everything, so
   pass ``greatwork.llm.moderation.check_output`` in production);
4. it still holds every key token of the template: names, numbers, codes, quoted phrases.

Otherwise the template stands. The :class:`Outcome` says what happened. ``outcome.failed`` is
true when the call failed (timeout, connection, 429 or 5xx after the retries, a refusal, an
answer that is not a completion): each of those counts toward the pause rule (D14: "Every LLM
failure counts toward the pause rule, fallback or not"). An answer the checks *discarded*
(``status`` is ``discarded``) is not an outage, since the model answered: it is neither a
failure nor a success.
An item that is not enhanced by rule (its type, or the pause) is ``skipped``: no call, no failure.

This module never touches the journal, the actors or Discord; the caller journals the outcome.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from greatwork.llm.client import (
    ChatMessage,
    ClientConfig,
    Completer,
    LlmClient,
    LlmError,
    LlmReply,
    LlmSettings,
)
from greatwork.llm.persona import (
    PressText,
    Prompt,
    build_prompt,
    clean_output,
    missing_tokens,
)
from greatwork.press.compose import MAX_BODY, cut
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState

__all__ = [
    "ENHANCED_KINDS",
    "ENHANCED_OCCASIONS",
    "MOCK_MODEL",
    "NEVER_KINDS",
    "NEVER_OCCASIONS",
    "WHILE_PAUSED",
    "Backend",
    "MockVoice",
    "Moderate",
    "Outcome",
    "Status",
    "allow_all",
    "backend_from_settings",
    "enhance",
    "not_enhanced_because",
]

logger = logging.getLogger(__name__)

MOCK_MODEL: Final = "mock"

# Section 4.2, "What gets enhanced", [C] and [H] together, by press type.
ENHANCED_KINDS: Final = frozenset(
    {
        # the core list
        "research_manifesto",
        "discovery_report",
        "retraction_notice",
        "symposium_announcement",
        "symposium_resolution",
        "defection_notice",
        "negotiation_resolved",
        "admin_action",
        # the extended list
        "academic_bulletin",
        "table_talk",
        "symposium_proposal",
        "symposium_reminder",
        "mentorship_update",
        "digest_highlights",
        "admin_update",
        # every layer (section 4.3), from the extended list
        "editorial",
        "investigation",
        "faction_statement",
        "analysis",
        "table_talk_digest",
        "table_talk_roundup",
        "recruitment_followup",
        "recruitment_brief",
        "sidecast_brief",
        "defection_epilogue",
        "defection_epilogue_brief",
        "landmark_preparation",
    }
)
# Gossip is one press type for many moments; these occasions are on 4.2's list: mentorship
# queueing and activation, lab assignment, symposium votes, table talk.
ENHANCED_OCCASIONS: Final = frozenset(
    {"mentorship_queued", "mentorship_activated", "lab_assigned", "symposium_vote", "table_talk"}
)
# Never enhanced, not even as a layer: recruitment reports, conferences, poach and counter
# press, and the press of sideways effects.
NEVER_KINDS: Final = frozenset(
    {
        "recruitment_report",
        "conference_scheduled",
        "negotiation",
        "faction_shift",
        "reputation_shift",
        "discovery_theory",
        "scholar_grudge",
        "opportunity_unlocked",
    }
)
NEVER_OCCASIONS: Final = frozenset(
    {"conference_success", "conference_partial", "conference_failure", "recruitment_grudge"}
)
# Section 3.14 [H]: while the game is paused only these may be enhanced, so that a success
# can lift a pause the model caused.
WHILE_PAUSED: Final = frozenset({"admin_action", "admin_update", "symposium_reminder"})

Moderate = Callable[[str], object]
"""A moderation check: True/False, or a verdict with ``allowed`` or ``blocked``."""

_Item = TypeVar("_Item")


def allow_all(text: str) -> bool:
    """Let every text through: the default when no moderation check is given."""
    del text
    return True


class Status(enum.StrEnum):
    """What became of one item."""

    ENHANCED = "enhanced"  # the model's text replaces the body
    SKIPPED = "skipped"  # not enhanced by rule (type or pause); no call was made
    FAILED = "failed"  # the call failed (see ``Outcome.error``); the template stands
    DISCARDED = "discarded"  # the answer broke a rule; the template stands


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """The result of :func:`enhance` for one item.

    Attributes:
        status: what happened.
        reason: a short, operator-readable explanation.
        body: the body to publish: the model's (capped) text, or the template's.
        meta: the meta to publish: on success the item's plus ``llm: {persona, model,
            generated_at}``, otherwise the item's unchanged.
        reply: the model's reply (latency, attempts, model), when there was one.
        error: the client's error when the call failed (``error.kind`` for metrics).
        rejected: the discarded text (capped), for the admins' moderation notice.
        verdict: what the moderation check returned, when it ran.
        lost: the key tokens the answer lost.
        capped: whether the answer was cut to the body cap.
    """

    status: Status
    reason: str
    body: str
    meta: Mapping[str, Any]
    reply: LlmReply | None = None
    error: LlmError | None = None
    rejected: str | None = None
    verdict: object = None
    lost: tuple[str, ...] = ()
    capped: bool = False

    @property
    def enhanced(self) -> bool:
        """Whether the model's text replaces the template's (a success for the pause rule)."""
        return self.status is Status.ENHANCED

    @property
    def failed(self) -> bool:
        """Whether the call failed: an LLM failure for the pause rule (D14).

        A discarded answer is not one: the model answered, and its text did not pass.
        """
        return self.status is Status.FAILED

    def apply(self, item: _Item) -> _Item:
        """Return a copy of ``item`` (a ``PressDraft`` or ``PressItem``) with this body and meta."""
        return dataclasses.replace(item, body=self.body, meta=self.meta)  # type: ignore[type-var]


class MockVoice:
    """A backend that needs no server: its answer is ``[MOCK] speaker: summary`` (4.2).

    The summary is the template body itself, so every key token survives and the answer
    goes through the same caps and moderation as a model's.
    """

    model = MOCK_MODEL

    def reply(self, prompt: Prompt) -> LlmReply:
        """Return the mock answer for ``prompt``."""
        speaker = prompt.persona.name if prompt.persona is not None else "The Gazette"
        text = f"[MOCK] {speaker}: {prompt.facts}"
        return LlmReply(text=text, model=MOCK_MODEL, latency=0.0, attempts=1)

    def __repr__(self) -> str:
        return "MockVoice()"


Backend = Completer | MockVoice


def backend_from_settings(settings: LlmSettings, **client_options: Any) -> Backend | None:  # noqa: ANN401 (passed through to LlmClient)
    """Return the backend the settings ask for: an LlmClient, a MockVoice, or None (off).

    Args:
        settings: the server's settings (``llm_backend`` and the ``llm_*`` values).
        client_options: passed to :class:`LlmClient` (``session``, ``sleep``, ``clock``).
    """
    if settings.llm_backend == "mock":
        return MockVoice()
    if settings.llm_backend == "openai":
        return LlmClient(ClientConfig.from_settings(settings), **client_options)
    return None


def not_enhanced_because(item: PressText, *, paused: bool) -> str | None:
    """Return why ``item`` may not be enhanced, or None when it may (sections 4.2, 3.14).

    A draft with a truthy ``meta["layer"]`` counts as a layer (4.3: every layer is enhanced)
    unless its type or occasion is on the never list.
    """
    occasion = item.meta.get("occasion")
    if item.kind in NEVER_KINDS or occasion in NEVER_OCCASIONS:
        return f"{item.kind} press is never enhanced"
    listed = (
        item.kind in ENHANCED_KINDS
        or (item.kind == "academic_gossip" and occasion in ENHANCED_OCCASIONS)
        or bool(item.meta.get("layer"))
    )
    if not listed:
        what = f"{item.kind} ({occasion})" if isinstance(occasion, str) else item.kind
        return f"{what} press is not on the list of enhanced press"
    if paused and item.kind not in WHILE_PAUSED:
        return "the game is paused; only admin notices and symposium reminders are enhanced"
    return None


def _passes(verdict: object) -> bool:
    """Read a moderation verdict: a bool, or an object with ``allowed`` or ``blocked``."""
    if isinstance(verdict, bool):
        return verdict
    allowed = getattr(verdict, "allowed", None)
    if isinstance(allowed, bool):
        return allowed
    blocked = getattr(verdict, "blocked", None)
    if isinstance(blocked, bool):
        return not blocked
    raise TypeError(
        "A moderation check must return True/False or a verdict with a boolean 'allowed' "
        f"or 'blocked' attribute, got {type(verdict).__name__}."
    )


def _frame(text: str, speaker: str) -> str:
    """A scholar's answer as the Gazette prints a quote: ``Name: "..."`` (section 4.1)."""
    if text.startswith(f"{speaker}:"):
        return text
    return f'{speaker}: "{text}"'


async def _ask(backend: Backend, prompt: Prompt, max_tokens: int | None) -> LlmReply:
    if isinstance(backend, MockVoice):
        return backend.reply(prompt)
    messages: tuple[ChatMessage, ...] = prompt.messages
    return await backend.complete(messages, temperature=prompt.temperature, max_tokens=max_tokens)


async def enhance(
    item: PressText,
    state: CampaignState,
    *,
    backend: Backend,
    now: Instant,
    moderate: Moderate = allow_all,
    max_body: int = MAX_BODY,
    max_tokens: int | None = None,
) -> Outcome:
    """Rewrite one press item's body in its voice, or keep the template (D14).

    Args:
        item: the press release as the template wrote it (``PressDraft`` or ``PressItem``).
        state: the campaign state: the pause, the speaker's traits, names and codes to keep.
        backend: an :class:`LlmClient` (or any ``Completer``) or a :class:`MockVoice`.
        now: the time to record as ``llm.generated_at``.
        moderate: the check for the model's text; the default allows everything.
        max_body: the body cap in characters (1,500 by default, section 4.4).
        max_tokens: the reply's cap in tokens; the client's default when None.

    Returns:
        The outcome; it never raises for a model failure (that is ``Status.FAILED``).

    Raises:
        ValueError: ``max_body`` is below 2.
        TypeError: ``moderate`` returned something that is not a verdict.
    """
    if max_body < 2:
        raise ValueError(f"The body cap must be at least 2 characters, got {max_body}.")
    template = Outcome(status=Status.SKIPPED, reason="", body=item.body, meta=item.meta)
    why = not_enhanced_because(item, paused=state.paused)
    if why is not None:
        return dataclasses.replace(template, reason=why)
    prompt = build_prompt(item, state, limit=max_body)
    what = str(item.meta.get("occasion") or item.kind)
    try:
        reply = await _ask(backend, prompt, max_tokens)
    except LlmError as error:
        logger.warning("Persona voice for %s failed (%s): %s", what, error.kind, error.message)
        reason = f"the model call failed ({error.kind}): {error.message}"
        return dataclasses.replace(template, status=Status.FAILED, reason=reason, error=error)
    text = clean_output(reply.text)
    if prompt.persona is not None and not isinstance(backend, MockVoice) and text:
        text = _frame(text, prompt.persona.name)
    if not text:
        return _discard(what, "the model's answer was empty", template, reply=reply)
    body = cut(text, max_body)
    capped = body != text
    verdict = moderate(body)
    if not _passes(verdict):
        reason = "moderation blocked the model's answer"
        return _discard(
            what, reason, template, reply=reply, rejected=body, verdict=verdict, capped=capped
        )
    lost = tuple(missing_tokens(body, prompt.keep))
    if lost:
        reason = f"the model's answer lost {', '.join(lost[:5])}" + (" …" if len(lost) > 5 else "")
        return _discard(
            what, reason, template, reply=reply, rejected=body, lost=lost, capped=capped
        )
    llm = {
        "persona": prompt.persona.name if prompt.persona is not None else None,
        "model": reply.model,
        "generated_at": int(now),
    }
    return Outcome(
        status=Status.ENHANCED,
        reason="the model's answer replaces the template",
        body=body,
        meta={**item.meta, "llm": llm},
        reply=reply,
        verdict=verdict,
        capped=capped,
    )


def _discard(
    what: str,
    reason: str,
    template: Outcome,
    **details: Any,  # noqa: ANN401 (Outcome's fields)
) -> Outcome:
    logger.warning("Persona voice for %s discarded: %s; the template stands", what, reason)
    return dataclasses.replace(template, status=Status.DISCARDED, reason=reason, **details)
