"""/metrics, /healthz and /readyz through a real Service on a free port."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pykka

from greatwork.actors.clock import VirtualClock
from greatwork.config import Settings
from greatwork.rules.ids import CampaignId, Instant
from greatwork.serve import Service
from tests.commands.local import T0


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, str, str]:
    async with session.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def test_the_endpoints_of_a_service(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "journal.db", metrics_port=0)
    service = Service(settings, clock=VirtualClock(Instant(T0)))
    try:
        await service.start_metrics()
        port = service.metrics_port
        assert port is not None
        assert port > 0
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            status, _, body = await get(session, f"{base}/readyz")
            assert status == 503
            assert "starting" in body
            assert (await get(session, f"{base}/healthz"))[0] == 200

            await service.start()
            await service.server.ensure_campaign(CampaignId("c1"), seed=3)
            deadline = asyncio.get_running_loop().time() + 10
            while (await get(session, f"{base}/readyz"))[0] != 200:
                assert asyncio.get_running_loop().time() < deadline, "never ready"
                await asyncio.sleep(0.01)

            status, kind, text = await get(session, f"{base}/metrics")
            assert status == 200
            assert kind.startswith("text/plain")
            assert 'greatwork_campaigns{state="running"} 1.0' in text
            assert "greatwork_build_info" in text
            assert "process_cpu_seconds_total" in text
            assert (await get(session, f"{base}/healthz"))[0] == 200
    finally:
        await service.stop()
    assert service.readiness() == "the server is shutting down"
    assert pykka.ActorRegistry.get_all() == []


async def test_metrics_can_be_turned_off(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "journal.db", metrics_enabled=False)
    service = Service(settings, clock=VirtualClock(Instant(T0)))
    try:
        await service.start()
        assert service.exporter is None
        assert service.metrics_port is None
        assert service.readiness() is None
    finally:
        await service.stop()
