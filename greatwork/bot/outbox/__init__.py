"""The Gazette outbox: every released press item and finished digest posted once, in order.

:class:`Outbox` listens to the server's notices. For each campaign of a guild (``guild-<id>``)
it keeps one lane, a queue worked by one task, so posts keep their order. A digest goes to
#gazette as a headline message and its stories; press items released between digests go
there as a post, several together when they were released together (the 20 founding items
of a new campaign are one post); table talk goes to #table-talk; admin notices (a channel
missing, a post waiting for permissions, a post refused for good, posting stalled) go to the
admin channel.

Posting goes through the ``outbox`` table of the journal. Before a post is sent its row is
begun with a nonce derived from campaign and key, so a retry, even after a restart, sends the
same nonce and Discord (``enforce_nonce``) answers with the first message instead of a second.
The row becomes ``posted`` only after Discord accepted every message, ``failed`` when Discord
refused it for good. A refusal for missing access or permissions (403 with code 50001 or
50013) is not for good: the row stays ``sending`` and the lane waits, like a missing channel,
until an admin fixes the channel or a role. At start the outbox reads what was released
(press and digests, from the journal) and posts whatever has no finished row, in order; so a
post is never lost and never sent twice by the outbox. See docs/discord.md.

The modules: ``units`` (what a post is, its key and nonce, how press items are grouped),
``lane`` (a campaign's queue), ``journal`` (recovery at start, a post's messages),
``sending`` (one post through the outbox table, with retries), ``notices`` (admin notices)
and ``core`` (the :class:`Outbox` itself).
"""

from __future__ import annotations

from greatwork.bot.outbox.core import Outbox
from greatwork.bot.outbox.notices import GuildLookup
from greatwork.bot.outbox.sending import Send
from greatwork.bot.outbox.units import nonce_of, part_nonce, press_key, press_span

__all__ = ["GuildLookup", "Outbox", "Send", "nonce_of", "part_nonce", "press_key", "press_span"]
