"""The base of every actor: futures the asyncio loop can await, and one failure policy.

pykka's futures have no done-callbacks, and ``await future`` blocks the event loop (it calls
``get()``). :class:`CallbackFuture` adds callbacks, so :func:`ask_async` can hand a reply to
the loop with ``call_soon_threadsafe`` and never park a thread (notes/actors-and-store.md,
section 2).

pykka keeps an actor running when an ``ask`` handler raises, and stops it without telling
anyone when a ``tell`` handler raises. :class:`GreatworkActor` does neither: a refusal
(:class:`~greatwork.rules.errors.RuleError`) goes back to the caller and the actor carries on;
any other exception is a failure: it is logged with the actor, the message and the traceback,
the caller gets :class:`~greatwork.actors.types.UnavailableError`, later messages are refused,
the actor stops, and its supervisor hears of it and restarts it from the journal.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

import pykka

from greatwork.actors.types import ActorFailedError, UnavailableError
from greatwork.rules.errors import RuleError

log = logging.getLogger(__name__)

FailureHook = Callable[[str, str, BaseException], None]
"""Called with (actor key, actor urn, error) when an actor fails."""


class CallbackFuture(pykka.ThreadingFuture[Any]):
    """A pykka future that runs callbacks once it has a value or an exception."""

    def __init__(self) -> None:
        super().__init__()
        self._callbacks: list[Callable[[CallbackFuture], None]] = []
        self._callback_lock = threading.Lock()
        self._fired = False

    def add_done_callback(self, fn: Callable[[CallbackFuture], None]) -> None:
        """Run ``fn(self)`` when the future is set (at once if it already is)."""
        with self._callback_lock:
            if not self._fired:
                self._callbacks.append(fn)
                return
        fn(self)

    def _fire(self) -> None:
        with self._callback_lock:
            self._fired = True
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            try:
                fn(self)
            except Exception:
                # A callback error must not escape: it would kill the actor that set the value.
                log.exception("a future callback failed")

    def set(self, value: Any | None = None) -> None:  # noqa: ANN401 (any reply)
        """Set the value, then run the callbacks."""
        super().set(value)
        self._fire()

    def set_exception(self, exc_info: Any = None) -> None:  # noqa: ANN401 (pykka's exc_info)
        """Set the exception, then run the callbacks."""
        super().set_exception(exc_info)
        self._fire()


class GreatworkActor(pykka.ThreadingActor):
    """A threading actor with awaitable futures and the project's failure policy.

    Subclasses implement :meth:`handle` instead of ``on_receive``.

    Attributes:
        key: a stable name for logs and the supervisor (``campaign:guild-1``).
    """

    def __init__(self, key: str, on_failure_hook: FailureHook | None = None) -> None:
        super().__init__()
        self.key = key
        self._failure_hook = on_failure_hook
        self._failed: BaseException | None = None

    @staticmethod
    def _create_future() -> pykka.Future[Any]:
        return CallbackFuture()

    def handle(self, message: object) -> object:
        """Handle one message; return the reply (ignored for a tell)."""
        raise NotImplementedError  # pragma: no cover (every actor overrides it)

    def on_receive(self, message: Any) -> Any:  # noqa: ANN401 (pykka's signature)
        """Dispatch to :meth:`handle` and apply the failure policy."""
        if self._failed is not None:
            raise UnavailableError(f"{self.key} is restarting after an internal error.")
        try:
            return self.handle(message)
        except RuleError:
            raise
        except Exception as error:
            self._fail(message, error)
            raise ActorFailedError(
                f"{self.key} hit an internal error and is restarting; nothing was applied."
            ) from error

    def on_start(self) -> None:
        """Run :meth:`start_up`; a failure there is reported like any other."""
        try:
            self.start_up()
        except Exception as error:  # noqa: BLE001 (every failure is reported, then the actor stops)
            self._fail("on_start", error)

    def start_up(self) -> None:
        """Work to do in the actor's thread before the first message."""

    def _fail(self, message: object, error: BaseException) -> None:
        self._failed = error
        log.error(
            "actor %s failed on %s",
            self.key,
            type(message).__name__ if not isinstance(message, str) else message,
            exc_info=(type(error), error, error.__traceback__),
            extra={"actor": self.key, "actor_message": repr(message)[:500]},
        )
        self.stop()
        if self._failure_hook is not None:
            try:
                self._failure_hook(self.key, self.actor_urn, error)
            except Exception:
                log.exception("the failure hook of %s failed", self.key)


def _transfer(reply: CallbackFuture, waiter: asyncio.Future[Any]) -> None:
    if waiter.done():  # the caller gave up (timeout or cancellation)
        return
    try:
        waiter.set_result(reply.get(timeout=0))
    except BaseException as error:  # noqa: BLE001 (hand every outcome to the awaiting task)
        waiter.set_exception(error)


async def ask_async(ref: pykka.ActorRef[Any], message: object, wait: float = 10.0) -> Any:  # noqa: ANN401 (any reply)
    """Ask an actor from the event loop without blocking it.

    Raises:
        UnavailableError: the actor is dead, or did not answer within ``wait`` seconds.
        RuleError: the actor refused (re-raised as it was).
    """
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[Any] = loop.create_future()
    try:
        reply = ref.ask(message, block=False)
    except pykka.ActorDeadError as error:
        raise UnavailableError("The campaign is restarting; try again in a moment.") from error
    if not isinstance(reply, CallbackFuture):  # pragma: no cover (every actor here makes them)
        raise TypeError(f"{ref} is not a GreatworkActor")

    def hand_over(done: CallbackFuture) -> None:
        loop.call_soon_threadsafe(_transfer, done, waiter)

    reply.add_done_callback(hand_over)
    try:
        # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a cancellation that
        # arrives as the reply lands, and a SIGTERM would then be lost.
        async with asyncio.timeout(wait):
            return await waiter
    except TimeoutError as error:
        raise UnavailableError(
            f"No answer within {wait:g} s; the request may still complete."
        ) from error
    except pykka.ActorDeadError as error:
        raise UnavailableError("The campaign is restarting; try again in a moment.") from error
