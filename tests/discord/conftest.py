"""Fixtures of the emulator's own tests (``test_emulator_*.py``); the e2e tests use ``world.py``.

``world`` is the sample bot in front of a started emulator, checked on the way out for
swallowed errors and refused requests; ``setup`` is an emulator with an HTTP session and no
bot; ``live`` a started emulator with nothing in it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.discord.emulator import DiscordEmulator
from tests.discord.emulator_fixtures import (
    RawSetup,
    SampleWorld,
    listening,
    raw_setup,
    sample_world,
)


@pytest.fixture
async def world() -> AsyncIterator[SampleWorld]:
    """The sample bot running against the Academy; nothing swallowed, nothing refused."""
    async with sample_world() as started:
        yield started
        assert started.take_errors() == []
        assert started.take_rejections() == []


@pytest.fixture
async def setup() -> AsyncIterator[RawSetup]:
    """An emulator with the Academy and an HTTP session authenticated as the bot."""
    async with raw_setup() as started:
        yield started


@pytest.fixture
async def live() -> AsyncIterator[DiscordEmulator]:
    """A started emulator with no guild and no bot."""
    async with listening() as emu:
        yield emu
