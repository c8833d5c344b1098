"""Takes made from a template with the editor's slots, straight into a real library, for the
tests of the linter's hints from defect tags."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from studio.prompts import PromptSlots
from studio.store import Store


def add_take(
    store: Store, slots: Mapping[str, str], *, template_id: int | None, at: float = 10.0
) -> int:
    """A finished take as the editor queues one (its slots and the template it came from)."""
    prompt = PromptSlots.from_mapping(slots).compose()
    spec = {"model": "sim-fast", "prompt": prompt, "seconds": 4, "size": "640x360",
            "slots": dict(slots)}  # fmt: skip
    with store.db.write() as tx:
        return store.jobs.insert(
            tx,
            {
                "provider": "sim",
                "model": "sim-fast",
                "prompt": prompt,
                "spec_json": json.dumps(spec),
                "idem_key": str(uuid.uuid4()),
                "status": "ready",
                "template_id": template_id,
                "estimated_cost": 0.4,
            },
            at=at,
        )
