"""The directory follows a registry topic that appears only after the service started."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from pedgrowth.contracts import encode, new_event
from pedgrowth.contracts import registry as r
from pedgrowth.mentoring.adapters.directory import Directory
from pedgrowth.mentoring.adapters.registry_follower import RegistryFollower
from tests.support.kafka import eventually, produce

pytestmark = pytest.mark.broker


async def test_the_feed_waits_for_the_topic_and_skips_what_breaks_the_contract(kafka):
    topic = f"registry.events.test-{uuid.uuid4().hex[:8]}"
    directory = Directory()
    feed = RegistryFollower(directory, kafka[0], topic=topic)
    stop = asyncio.Event()
    task = asyncio.create_task(feed(None, stop))
    try:
        await asyncio.sleep(1.5)
        school = r.OrganizationRegistered(org_id="sch-feed", name="Школа", kind="school", municipality_id="mun-f",
                                          municipality_name="М", region_id="reg-f", region_name="Р")
        await produce(kafka[0], topic, [b"{broken", encode(new_event(school, source="/pedgrowth/registry"))])
        await eventually(lambda: "sch-feed" in directory.orgs, timeout=20)
    finally:
        stop.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert feed.applied == 1
