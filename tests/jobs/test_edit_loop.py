"""The engine's half of the edit loop, against the simulator: a remix is sent to the
remix endpoint as a child of its take; the original reference image is kept beside the
fitted one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.core.errors import SpecError
from studio.core.spec import ReferenceFit, ReferenceImage, RenderRequest
from studio.jobs import Engine
from studio.jobs.remix import RemixSource
from studio.prompts import PromptSlots
from studio.providers.profiles import ProfileSet, profile_from_openrouter
from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from studio.store.layout import original_reference, stored_reference
from tests.helpers import png_bytes
from tests.jobs.conftest import spec


async def finished(engine: Engine, job_id: int) -> None:
    (job,) = await asyncio.wait_for(engine.wait_finished([job_id]), 60)
    assert job.status is JobStatus.READY, (job.status, job.failure_message)


async def test_a_remix_is_sent_as_a_remix_of_its_take_and_told_apart_in_the_lineage(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    engine = make_engine()
    await engine.start()
    take = await engine.submit(spec("a heron lands on a jetty"), project="birds")
    await finished(engine, take.id)
    ready = store.jobs.get(take.id)
    assert ready is not None
    assert ready.remote_id is not None
    source = RemixSource.of(ready, "sim")
    assert source.why_not(await engine.models()) is None
    slots = PromptSlots(subject="a heron", action="lands on a jetty at night")
    remix = source.request(slots.compose(), slots.as_dict())
    queued = await engine.submit_batch(
        [remix], name="remix", parent_id=take.id, project=ready.project
    )
    (child,) = queued.jobs
    await finished(engine, child.id)
    done = store.jobs.get(child.id)
    assert done is not None
    assert done.remote_id is not None
    remote = await engine.provider.retrieve(done.remote_id)
    assert remote.remixed_from == ready.remote_id  # the provider remixed that very take
    assert done.spec.remix_of == ready.remote_id
    assert (done.parent_id, done.shot_id, done.lineage_kind) == (take.id, take.id, "remix")
    assert (done.spec.seconds, done.spec.size) == (4, "640x360")  # the take's own
    assert done.prompt == "a heron lands on a jetty at night."
    revision = await engine.submit(spec("a heron lands at dawn"), parent_id=take.id)
    assert revision.lineage_kind == "revision"  # a re-render of a revised prompt
    assert ready.lineage_kind == "take"
    # A remix is another render than the same prompt rendered anew: not a double submit.
    plain = await engine.submit(spec("a heron lands on a jetty at night."))
    assert plain.id != child.id


async def test_a_take_that_cannot_be_remixed_says_why(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    engine = make_engine()
    take = await engine.submit(spec("an owl blinks"))  # queued: not rendered yet
    source = RemixSource.of(take, "sim")
    assert source.why_not(await engine.models()) == (
        f"Only a finished take can be remixed; {take.name} is queued."
    )
    assert "made by another provider" in (RemixSource.of(take, "openai").why_not(None) or "")
    finished_there = RemixSource(take.id, take.name, "video_1", take.spec)
    assert finished_there.why_not(None) == "The models are still loading."
    openrouter = ProfileSet(
        [
            profile_from_openrouter(
                {
                    "id": "sim-fast",
                    "name": "Veo (OpenRouter)",
                    "supported_durations": [4],
                    "supported_sizes": ["640x360"],
                }
            )
        ]
    )
    assert finished_there.why_not(openrouter) == (
        "Veo (OpenRouter) cannot remix: its provider's API (openrouter) has no remix "
        "endpoint. Queue a new render instead."
    )
    with pytest.raises(SpecError, match="cannot remix"):
        openrouter.validate(finished_there.request("an owl blinks twice", {}).spec)


async def test_the_original_reference_image_is_kept_beside_the_fitted_one(
    make_engine: Callable[..., Engine], store: Store, library: Path
) -> None:
    engine = make_engine()
    original = ReferenceImage(png_bytes(1600, 1600, (10, 120, 200)))
    fitted = ReferenceImage(png_bytes(640, 360, (10, 120, 200)))
    fit = ReferenceFit(
        "fox in snow.png",
        focus=(0.2, 0.8),
        source_size=(1600, 1600),
        original_sha256=original.sha256,
        original_mime=original.mime,
    )
    request = RenderRequest(
        spec("a fox in snow", reference=fitted), reference_fit=fit, original=original
    )
    job = await engine.submit(request)
    kept = original_reference(library, job.spec.reference_fit)
    assert kept is not None
    assert kept.read_bytes() == original.data
    sent = stored_reference(library, job.spec)
    assert sent is not None
    assert sent.read_bytes() == fitted.data
    assert job.spec.reference_fit == fit  # the crop box and the original, as stored
    retried = await engine.submit(job.spec.request(fitted), again=True)  # no bytes: named
    assert original_reference(library, retried.spec.reference_fit) == kept
