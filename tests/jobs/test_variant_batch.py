"""A variant batch is one comparison: it is rendered whole, a take per value, even where
one value's render exists already (the base value, queued a moment before)."""

from __future__ import annotations

from collections.abc import Callable

from studio.core.spec import RenderRequest
from studio.jobs import Engine
from studio.prompts import PromptSlots, variant_label, variants
from studio.store import Store
from tests.jobs.conftest import spec


async def test_a_variant_value_equal_to_the_base_is_rendered_in_the_batch(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    """The base prompt queued a moment before is a variant value too: its render was
    caught by the double-submit guard and the batch had 2 jobs of 3."""
    engine = make_engine()
    base = PromptSlots(subject="a kite", action="climbs", camera="slow pan")
    single = await engine.submit(spec(base.compose()))
    values = ["slow pan", "dolly in", "tracking"]
    requests = [
        RenderRequest(spec(s.compose()), s.as_dict(), variant_label("camera", v))
        for s, v in zip(variants(base, "camera", values), values, strict=True)
    ]
    queued = await engine.submit_batch(requests, name="kite", varied_slot="camera")
    assert queued.reused == []
    assert len(queued.new) == 3
    assert single.id not in {j.id for j in queued.jobs}
    (batch,) = {j.batch_id for j in queued.jobs}
    assert batch is not None
    assert [j.spec.variant for j in store.jobs.in_batch(batch)] == [
        "Camera: slow pan",
        "Camera: dolly in",
        "Camera: tracking",
    ]
    again = await engine.submit_batch(requests, name="kite", varied_slot="camera")
    assert [j.id for j in again.reused] == [j.id for j in queued.jobs]  # a double click
