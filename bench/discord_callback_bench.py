"""Micro-benchmark: disnake's per-call work on the bot's generated slash callbacks.

    .venv/bin/python bench/discord_callback_bench.py [--calls N] [--repeats R]

disnake runs ``call_param_func`` for every slash command; it reads the callback's signature
twice (``collect_params``, then ``safe_call``) and evaluates its annotations each time. The
callbacks of ``greatwork.bot.app`` carry a ready ``__signature__``; this times
``call_param_func`` on them as built, then on the same callbacks with that attribute removed
(the string annotations of ``from __future__ import annotations`` evaluated on every call,
as before). The runner behind the callbacks does nothing, so only disnake's work is timed.
Prints the best of ``--repeats`` rounds of ``--calls`` calls, in microseconds per call.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from disnake.ext.commands.params import call_param_func

from greatwork.bot.app import slash_commands
from greatwork.commands.spec import CommandSpec


class _IdleRunner:
    async def run(self, inter: object, spec: CommandSpec, options: dict[str, Any]) -> None:
        del inter, spec, options

    async def setup(self, inter: object, options: dict[str, Any]) -> None:
        del inter, options


async def _time(callback: Any, calls: int, repeats: int) -> float:  # noqa: ANN401 (a callback)
    inter = object()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            await call_param_func(callback, inter, None, theory="x", confidence="certain")  # type: ignore[arg-type]
        best = min(best, (time.perf_counter() - started) / calls)
    return best


async def main(calls: int, repeats: int) -> None:
    """Time ``/submit_theory``'s callback with and without its ready signature."""
    [command] = [c for c in slash_commands(_IdleRunner(), None) if c.name == "submit_theory"]  # type: ignore[arg-type]
    callback = command.callback
    ready = await _time(callback, calls, repeats)
    del callback.__signature__  # type: ignore[attr-defined]
    rebuilt = await _time(callback, calls, repeats)
    print(f"call_param_func on /submit_theory's callback, best of {repeats} x {calls} calls:")
    print(f"  {'with the ready __signature__:':<44}{ready * 1e6:6.1f} us per call")
    print(f"  {'signature rebuilt and evaluated (before):':<44}{rebuilt * 1e6:6.1f} us per call")
    print(f"  saved: {(rebuilt - ready) * 1e6:.1f} us per interaction ({rebuilt / ready:.1f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.repeats))
