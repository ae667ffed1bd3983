"""The REST half of the loopback Discord: routes under ``/api/v10``, recording, injected faults.

Every request is recorded (:class:`Call`), every 4xx with its reason (:class:`Rejection`),
and the notifier is poked after each one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from aiohttp import web

from tests.discord.emulator_checks import FormErrors, check_length
from tests.discord.emulator_commands import CommandStore
from tests.discord.emulator_core import (
    API_PREFIX,
    Call,
    DiscordHTTPError,
    Notifier,
    Rejection,
    Upload,
)
from tests.discord.emulator_http import (
    BODY,
    UPLOADS,
    Fault,
    Req,
    rate_limit_headers,
    read_body,
    respond,
)
from tests.discord.emulator_interactions import InteractionBook
from tests.discord.emulator_limits import check_message
from tests.discord.emulator_messages import MessageStore
from tests.discord.emulator_state import GUILD_TEXT, PRIVATE_THREAD, PUBLIC_THREAD, World

logger = logging.getLogger(__name__)
NO_AUTH: Final = ("/interactions/", "/webhooks/")


Handler = Callable[[Req], Awaitable[tuple[int, Any]]]


class Rest:
    """The REST routes over the emulator's world, commands, messages and interactions."""

    def __init__(
        self,
        world: World,
        commands: CommandStore,
        messages: MessageStore,
        book: InteractionBook,
        notifier: Notifier,
        token: str,
    ) -> None:
        self.world = world
        self.commands = commands
        self.messages = messages
        self.book = book
        self.notifier = notifier
        self.token = token
        self.gateway_url = ""
        self.calls: list[Call] = []
        self.rejections: list[Rejection] = []
        self.faults: list[Fault] = []
        self.dispatch: Callable[[str, dict[str, Any]], object] = lambda _event, _data: None

    def install(self, app: web.Application) -> None:
        """Add every route and the recording middleware to ``app``."""
        app.middlewares.append(self._middleware)
        for method, path, handler in self._routes():
            app.router.add_route(method, API_PREFIX + path, self._wrap(handler))

    def _routes(self) -> list[tuple[str, str, Handler]]:
        app_cmds = "/applications/{app}/commands"
        guild_cmds = "/applications/{app}/guilds/{guild}/commands"
        hook = "/webhooks/{app}/{token}"
        return [
            ("GET", "/users/@me", self._me),
            ("GET", "/gateway", self._gateway),
            ("GET", "/gateway/bot", self._gateway),
            ("GET", "/oauth2/applications/@me", self._application),
            ("GET", app_cmds, self._list_commands),
            ("PUT", app_cmds, self._put_commands),
            ("POST", app_cmds, self._post_command),
            ("GET", app_cmds + "/{command}", self._get_command),
            ("PATCH", app_cmds + "/{command}", self._patch_command),
            ("DELETE", app_cmds + "/{command}", self._delete_command),
            ("GET", guild_cmds, self._list_commands),
            ("PUT", guild_cmds, self._put_commands),
            ("POST", guild_cmds, self._post_command),
            ("GET", guild_cmds + "/{command}", self._get_command),
            ("PATCH", guild_cmds + "/{command}", self._patch_command),
            ("DELETE", guild_cmds + "/{command}", self._delete_command),
            ("POST", "/interactions/{interaction}/{token}/callback", self._callback),
            ("POST", hook, self._followup),
            ("GET", hook + "/messages/{message}", self._get_hook_message),
            ("PATCH", hook + "/messages/{message}", self._edit_hook_message),
            ("DELETE", hook + "/messages/{message}", self._delete_hook_message),
            ("GET", "/channels/{channel}", self._get_channel),
            ("GET", "/channels/{channel}/messages", self._history),
            ("POST", "/channels/{channel}/messages", self._post_message),
            ("GET", "/channels/{channel}/messages/{message}", self._get_message),
            ("PATCH", "/channels/{channel}/messages/{message}", self._edit_message),
            ("DELETE", "/channels/{channel}/messages/{message}", self._delete_message),
            ("POST", "/channels/{channel}/messages/{message}/threads", self._thread_from_message),
            ("POST", "/channels/{channel}/threads", self._thread),
            ("POST", "/channels/{channel}/typing", self._typing),
            ("GET", "/guilds/{guild}", self._get_guild),
            ("GET", "/guilds/{guild}/channels", self._guild_channels),
            ("GET", "/guilds/{guild}/roles", self._guild_roles),
            ("GET", "/guilds/{guild}/members/{user}", self._guild_member),
        ]

    # Plumbing ------------------------------------------------------------------------------

    def _wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def route(request: web.Request) -> web.StreamResponse:
            req = Req(
                dict(request.match_info),
                dict(request.query),
                request[BODY],
                request[UPLOADS],
            )
            status, body = await handler(req)
            return respond(status, body)

        return route

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = request.path.removeprefix(API_PREFIX)
        body: Any = None
        uploads: tuple[Upload, ...] = ()
        try:
            body, uploads = await read_body(request)
            request[BODY], request[UPLOADS] = body, uploads
            self._authorize(request, path)
            response = self._fault(request.method, path) or await handler(request)
        except DiscordHTTPError as error:
            response = respond(error.status, error.body(), error.headers)
            self._reject(
                request.method, path, error.status, error.code, error.message, error.errors
            )
        except web.HTTPNotFound:
            response = respond(404, {"message": "404: Not Found", "code": 0})
            self._reject(request.method, path, 404, 0, "no such route in the emulator")
        except web.HTTPMethodNotAllowed:
            response = respond(405, {"message": "405: Method Not Allowed", "code": 0})
            self._reject(request.method, path, 405, 0, "method not allowed on this route")
        except Exception as error:
            # A 5xx would make disnake retry for 25 s; a 4xx fails the request at once.
            logger.exception("the emulator failed on %s %s", request.method, path)
            response = respond(400, {"message": f"emulator bug: {error!r}", "code": 0})
            self._reject(request.method, path, 400, 0, f"emulator bug: {error!r}")
        call = Call(request.method, path, dict(request.query), body, uploads, response.status)
        self.calls.append(call)
        logger.debug("%s %s -> %s", request.method, path, response.status)
        self.notifier.poke()
        return response

    def _authorize(self, request: web.Request, path: str) -> None:
        if path.startswith(NO_AUTH):
            return
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordHTTPError(401, 0, "401: Unauthorized")

    def _fault(self, method: str, path: str) -> web.Response | None:
        for fault in self.faults:
            if fault.method.upper() in (method, "*") and fault.pattern.search(path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                headers = dict(fault.headers)
                if fault.retry_after is not None:
                    headers |= rate_limit_headers(fault.retry_after, self.world.clock.wall())
                if 400 <= fault.status < 500:
                    why = "rate limited (injected)" if fault.status == 429 else "injected failure"
                    code = fault.body.get("code", 0) if isinstance(fault.body, dict) else 0
                    self._reject(method, path, fault.status, code, why)
                return respond(fault.status, fault.body, headers)
        return None

    def _reject(
        self,
        method: str,
        path: str,
        status: int,
        code: int,
        message: str,
        errors: Mapping[str, Any] | None = None,
    ) -> None:
        self.rejections.append(Rejection(method, path, status, code, message, errors))
        logger.debug("refused %s %s: %s %s %s", method, path, status, message, errors or "")

    def _app(self, req: Req) -> None:
        if req.id("app") != self.world.application_id:
            raise DiscordHTTPError(404, 10002, "Unknown Application")

    # Login and gateway ---------------------------------------------------------------------

    async def _me(self, _req: Req) -> tuple[int, Any]:
        return 200, self.world.bot_user_json() | {"email": None}

    async def _gateway(self, _req: Req) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    async def _application(self, _req: Req) -> tuple[int, Any]:
        return 200, {
            "id": str(self.world.application_id),
            "name": self.world.bot.name,
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.world.user_json(self.world.owner),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": self.world.user_json(self.world.bot),
        }

    # Commands ------------------------------------------------------------------------------

    def _scope(self, req: Req) -> int | None:
        self._app(req)
        return req.id("guild") if "guild" in req.params else None

    async def _list_commands(self, req: Req) -> tuple[int, Any]:
        return 200, self.commands.listing(self._scope(req))

    async def _put_commands(self, req: Req) -> tuple[int, Any]:
        return 200, self.commands.overwrite(req.body, self._scope(req))

    async def _post_command(self, req: Req) -> tuple[int, Any]:
        command, created = self.commands.upsert(req.body, self._scope(req))
        return (201 if created else 200), command

    async def _get_command(self, req: Req) -> tuple[int, Any]:
        return 200, self.commands.get(req.id("command"), self._scope(req))

    async def _patch_command(self, req: Req) -> tuple[int, Any]:
        scope = self._scope(req)
        merged = self.commands.get(req.id("command"), scope) | req.obj()
        command, _ = self.commands.upsert(merged, scope)
        return 200, command

    async def _delete_command(self, req: Req) -> tuple[int, Any]:
        self.commands.delete(req.id("command"), self._scope(req))
        return 204, None

    # Interactions --------------------------------------------------------------------------

    async def _callback(self, req: Req) -> tuple[int, Any]:
        self.book.callback(req.id("interaction"), req.params["token"], req.body, req.uploads)
        return 204, None

    async def _followup(self, req: Req) -> tuple[int, Any]:
        record = self.book.webhook(req.id("app"), req.params["token"])
        message = self.book.followup(record, req.body, req.uploads)
        wait = req.query.get("wait", "false").lower() in ("1", "true")
        return (200, message) if wait else (204, None)

    async def _get_hook_message(self, req: Req) -> tuple[int, Any]:
        record = self.book.webhook(req.id("app"), req.params["token"])
        return 200, self.book.message(record, req.params["message"])

    async def _edit_hook_message(self, req: Req) -> tuple[int, Any]:
        record = self.book.webhook(req.id("app"), req.params["token"])
        return 200, self.book.edit(record, req.params["message"], req.body, req.uploads)

    async def _delete_hook_message(self, req: Req) -> tuple[int, Any]:
        record = self.book.webhook(req.id("app"), req.params["token"])
        self.book.delete(record, req.params["message"])
        return 204, None

    # Channels and messages -----------------------------------------------------------------

    async def _get_channel(self, req: Req) -> tuple[int, Any]:
        return 200, self.world.channel_json(self.world.channel(req.id("channel")))

    async def _history(self, req: Req) -> tuple[int, Any]:
        listing = self.messages.channel_messages(self.world.channel(req.id("channel")).id)
        raw = req.query.get("limit", "50")
        limit = int(raw) if raw.isdigit() else 0
        if not 1 <= limit <= 100:
            errors = FormErrors()
            errors.add(["limit"], "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
            errors.raise_if_any()
        if req.query.get("before", "").isdigit():
            listing = [m for m in listing if int(m["id"]) < int(req.query["before"])]
        if req.query.get("after", "").isdigit():
            listing = [m for m in listing if int(m["id"]) > int(req.query["after"])][:limit]
        return 200, list(reversed(listing))[:limit]

    async def _post_message(self, req: Req) -> tuple[int, Any]:
        channel = self.world.channel(req.id("channel"))
        body = req.obj()
        check_message(body, files=len(req.uploads)).raise_if_any()
        if channel.posting_denied:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")
        earlier = self.messages.duplicate(self.world.bot, body)
        if earlier is not None:
            return 200, earlier
        return 200, self.messages.post(channel, body, req.uploads, author=self.world.bot)

    async def _get_message(self, req: Req) -> tuple[int, Any]:
        return 200, self.messages.find(req.id("channel"), req.id("message"))

    async def _edit_message(self, req: Req) -> tuple[int, Any]:
        message = self.messages.find(req.id("channel"), req.id("message"))
        if int(message["author"]["id"]) != self.world.bot.id:
            raise DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
        body = req.obj()
        check_message(body, files=len(req.uploads)).raise_if_any()
        return 200, self.messages.edit(message, body, req.uploads)

    async def _delete_message(self, req: Req) -> tuple[int, Any]:
        message = self.messages.find(req.id("channel"), req.id("message"))
        if int(message["author"]["id"]) != self.world.bot.id:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")
        self.messages.delete(message)
        return 204, None

    async def _thread_from_message(self, req: Req) -> tuple[int, Any]:
        message = self.messages.find(req.id("channel"), req.id("message"))
        # A thread started from a message takes the message's id.
        return 201, self._new_thread(req, int(message["id"]))

    async def _thread(self, req: Req) -> tuple[int, Any]:
        # In API v10 a thread without a message is private (12) unless ``type`` says otherwise.
        kind = req.obj().get("type", PRIVATE_THREAD)
        if kind != PUBLIC_THREAD:
            raise DiscordHTTPError(
                400, 0, f"the emulator has public threads (type 11) only, not type {kind}"
            )
        return 201, self._new_thread(req, None)

    def _new_thread(self, req: Req, thread_id: int | None) -> dict[str, Any]:
        parent = self.world.channel(req.id("channel"))
        if parent.type != GUILD_TEXT or parent.guild_id is None:
            raise DiscordHTTPError(400, 50024, "Cannot execute action on this channel type")
        name = req.obj().get("name")
        errors = FormErrors()
        check_length(errors, ["name"], name, 1, 100)
        errors.raise_if_any()
        thread = self.world.add_channel(
            self.world.guilds[parent.guild_id],
            str(name),
            kind=PUBLIC_THREAD,
            parent_id=parent.id,
            owner_id=self.world.bot.id,
            channel_id=thread_id,
        )
        body = self.world.channel_json(thread)
        self.dispatch("THREAD_CREATE", body | {"newly_created": True})
        return body

    async def _typing(self, req: Req) -> tuple[int, Any]:
        self.world.channel(req.id("channel"))
        return 204, None

    # Guilds --------------------------------------------------------------------------------

    async def _get_guild(self, req: Req) -> tuple[int, Any]:
        return 200, self.world.guild_json(self.world.guild(req.id("guild")))

    async def _guild_channels(self, req: Req) -> tuple[int, Any]:
        guild = self.world.guild(req.id("guild"))
        return 200, [self.world.channel_json(c) for c in self.world.guild_channels(guild)]

    async def _guild_roles(self, req: Req) -> tuple[int, Any]:
        return 200, self.world.roles_json(self.world.guild(req.id("guild")))

    async def _guild_member(self, req: Req) -> tuple[int, Any]:
        guild = self.world.guild(req.id("guild"))
        member = guild.members.get(req.id("user"))
        if member is None:
            raise DiscordHTTPError(404, 10007, "Unknown Member")
        return 200, self.world.member_json(member)
