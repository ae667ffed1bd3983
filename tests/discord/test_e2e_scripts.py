"""Every command through Discord: the play scripts, run by guild members through the client."""

from __future__ import annotations

from pathlib import Path

from greatwork.commands.catalogue import CATALOGUE
from tests.discord.scripts import DiscordScript, seed_of
from tests.discord.world import running_world
from tests.play.runner import load

SCRIPTS = sorted((Path(__file__).parents[1] / "play" / "scripts").glob("*.gw"))


async def test_every_script_through_discord(tmp_path: Path) -> None:
    problems: list[str] = []
    succeeded: set[str] = set()
    refused: set[str] = set()
    by_client: set[str] = set()
    for index, path in enumerate(SCRIPTS):
        script = load(path)
        paths = script.command_paths()
        folder = tmp_path / str(index)
        folder.mkdir()
        async with running_world(folder, seed=seed_of(script)) as world:
            run = DiscordScript(world, script)
            await run.run()
            problems.extend(await run.failures())
            for expectation in script.expectations:
                outcome = run.outcomes[expectation.target]
                command = paths.get(expectation.target)
                if command is None:
                    continue
                if expectation.kind == "ok" and outcome.messages:
                    succeeded.add(command)
                elif expectation.kind == "error" and outcome.messages:
                    refused.add(command)
                elif expectation.kind == "error" and outcome.refused_by_client:
                    by_client.add(command)
    assert not problems, "\n".join(problems)
    every = {spec.path for spec in CATALOGUE}
    # Each command answered a success through the real client, and met each of its main
    # errors: refused by the bot, or (a view without options, like /status, can only be
    # given a bad option) by the Discord client's own checks.
    assert sorted(every - succeeded) == []
    assert sorted(every - refused - by_client) == []
    assert len(refused) > 35  # most commands were refused by the bot itself
