"""Finding our id from a published HSDS UUID: each id hashed once, new ids learned on a miss."""

from __future__ import annotations

from services.directory.hsds.adapters.published_ids import PublishedIds
from services.directory.hsds.domain.ids import hsds_id


async def test_ids_are_found_learned_and_read_only_on_a_miss() -> None:
    directory = ["bloom-therapy-outpatient", "willow-psychiatry-medication"]
    reads: list[int] = []

    async def every_id() -> list[str]:
        reads.append(len(directory))
        return list(directory)

    ids = PublishedIds("service")
    bloom = hsds_id("service", "bloom-therapy-outpatient")
    assert await ids.find(bloom, every_id) == "bloom-therapy-outpatient"
    assert await ids.find(bloom, every_id) == "bloom-therapy-outpatient"
    assert reads == [2], "a remembered id needs no read"
    assert await ids.find(hsds_id("organization", "bloom-therapy"), every_id) is None
    directory.append("new-leaf-postpartum")
    assert await ids.find(hsds_id("service", "new-leaf-postpartum"), every_id) == (
        "new-leaf-postpartum"
    )
    assert reads == [2, 2, 3]
