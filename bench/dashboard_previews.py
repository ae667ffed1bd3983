"""Draw the README's dashboard previews from a live Prometheus watching a season of play.

    .venv/bin/python bench/dashboard_previews.py [--seconds S] [--out DIR]   (or: make previews)

The same setup as the live dashboards test (``tests/dashboards/harness.py``): the game served
as ``greatwork serve`` serves it, on a virtual clock, in front of the loopback Discord, with
the persona voice on the fake model server, scraped every second by Debian's Prometheus on
127.0.0.1 (``apt-get install prometheus``); the test's season is played. Then play goes on for
``--seconds`` (90 by default) of wall time, so the curves have some length: the four players
run a command every few tenths of a second (voting in the symposium when a topic is open)
and the clock moves to the next digest every ten seconds. Last, ``greatwork dashboards
preview`` (the real command line; matplotlib needed: ``pip install 'greatwork[preview]'``)
draws each dashboard over the whole run, and the files are copied to
``docs/img/dashboard-operations.png``, ``-economy.png`` and ``-engagement.png``.

Run by hand when the dashboards change, not in ``make test``; commit the PNG files.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the harness lives with the tests

from tests.dashboards.harness import Live, Player, live_season  # noqa: E402 (needs ROOT)

BOARDS = {
    "greatwork-operations": "operations",
    "greatwork-economy": "economy",
    "greatwork-engagement": "engagement",
}
"""The preview's file names (the dashboards' uids) and the README's names for them."""
PLAYERS = ("Ada", "Bo", "Cy", "Di")
DIGEST_EVERY = 10.0


async def play_on(live: Live, seconds: float, rng: random.Random) -> int:
    """Play for ``seconds`` of wall time; return how many commands ran."""
    play = Player(live.world, live.season)
    server = live.world.service.server
    deadline = time.monotonic() + seconds
    next_digest = time.monotonic() + DIGEST_EVERY
    count = 0
    while time.monotonic() < deadline:
        who = rng.choice(PLAYERS)
        pick = rng.random()
        if pick < 0.35:
            await play.ok(who, "table_talk", message=f"{who} has news, number {count}")
        elif pick < 0.55:
            await play.ok(who, "status")
        elif pick < 0.7:
            await play.ok(who, "gazette", limit=5)
        elif pick < 0.8:
            await play.ok(who, "theory_reference")
        elif pick < 0.9:  # refused while no topic is open: the game says so, and play goes on
            await live.world.slash(who, "symposium_vote", option=rng.randint(1, 3))
        else:
            await play.refused(who, "recruit", "nobody", scholar_id="nobody", faction="academia")
        count += 1
        if time.monotonic() >= next_digest:
            await server.advance_to_next_digest()
            next_digest = time.monotonic() + DIGEST_EVERY
        await asyncio.sleep(rng.expovariate(1 / 0.3))
    return count


async def preview(live: Live, out: Path) -> None:
    """Run ``greatwork dashboards preview`` over the whole run, into ``out``."""
    elapsed = math.ceil(time.time() - live.started) + 5
    command = Path(sys.executable).with_name("greatwork")
    process = await asyncio.create_subprocess_exec(
        str(command),
        "dashboards",
        "preview",
        f"--prometheus={live.prometheus.url}",
        f"--out={out}",
        f"--dashboards={ROOT / 'dashboards'}",
        f"--range={elapsed}s",
        "--step=1s",
        cwd=ROOT,
    )
    if await process.wait() != 0:
        raise SystemExit(f"greatwork dashboards preview failed (exit {process.returncode})")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=90.0, help="wall seconds of play after the season"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "img", help="where the PNG files go"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greatwork-previews-") as scratch:
        folder = Path(scratch)
        async with live_season(folder) as live:
            print(f"season played: {live.season.commands} commands, steps {live.season.steps}")
            count = await play_on(live, args.seconds, random.Random(6))
            print(f"played on: {count} more commands")
            await preview(live, folder / "png")
        args.out.mkdir(parents=True, exist_ok=True)
        for path in sorted((folder / "png").glob("*.png")):
            name = BOARDS.get(path.stem)
            if name is None:
                print(f"skipped {path.name}: not one of {sorted(BOARDS)}")
                continue
            target = args.out / f"dashboard-{name}.png"
            shutil.copyfile(path, target)
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
