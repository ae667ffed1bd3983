"""Two servers in one process (a restart in the end-to-end tests): each stops only its own."""

from __future__ import annotations

from pathlib import Path

from greatwork.rules.ids import CampaignId
from tests.actors.conftest import ServerFactory
from tests.actors.test_runtime import theory

C1 = CampaignId("c1")


async def test_stopping_one_server_leaves_the_others_actors_running(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    first = await make_server()
    second = await make_server(db_path=tmp_path / "second" / "greatwork.db")
    await first.ensure_campaign(C1)
    await second.ensure_campaign(C1)
    await first.stop()

    outcome = await second.execute(C1, theory(second, "Still served"))
    assert [e.kind for e in outcome.events][-1] == "TheorySubmitted"
    await second.advance_to_next_digest()  # its clock and campaign actors still run
    assert second.committed_state(C1).last_digest == 1
