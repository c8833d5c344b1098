"""A library of finished takes with real clips, for the review tests and benchmark."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from studio.core.files import sha256_file
from studio.prompts import PromptSlots
from studio.sim.render import ClipRequest, render_clip
from studio.store import Store

LIGHTS = ("golden hour", "neon night", "overcast daylight", "studio softbox")


def make_library(
    root: Path,
    takes: int,
    *,
    distinct: int = 3,
    size: tuple[int, int] = (640, 360),
    colours: Sequence[tuple[int, int, int]] = (),
    variants: bool = False,
) -> tuple[Store, Path, list[int]]:
    """`takes` ready jobs in one batch, their clips rendered by the simulator (`distinct`
    renders, copied round so each take has its own files). `colours`: each render's
    background, one plain colour per render (tells which take a picture is); `variants`:
    a variant batch, each take saying what it varies ("Lighting: golden hour")."""
    library = root / "library"
    renders = [
        render_clip(
            ClipRequest(f"take {i}", *size, 2, reference=_plain(colours[i]) if colours else None),
            root / "renders" / str(i),
        )
        for i in range(distinct)
    ]
    store = Store(root / "studio.db")
    ids: list[int] = []
    with store.db.write() as tx:
        batch = tx.execute(
            "INSERT INTO batches (name, project, varied_slot, created_at) "
            "VALUES ('review', 'default', 'lighting', 1.0)"
        ).lastrowid
        for i in range(takes):
            slots = PromptSlots(
                subject="a red kite", action="climbs into the wind", lighting=LIGHTS[i % 4]
            )
            spec = {
                "model": "sim-fast",
                "prompt": slots.compose(),
                "seconds": 2,
                "size": f"{size[0]}x{size[1]}",
                "seed": i,
                "slots": slots.as_dict(),
            }
            if variants:
                spec["variant"] = f"Lighting: {LIGHTS[i % 4]}"
            job_id = store.jobs.insert(
                tx,
                {
                    "provider": "sim",
                    "model": "sim-fast",
                    "prompt": slots.compose(),
                    "spec_json": json.dumps(spec),
                    "idem_key": f"review-{i}",
                    "status": "ready",
                    "batch_id": batch,
                    "estimated_cost": 0.2,
                },
                at=10.0 + i,
            )
            folder = library / "clips" / str(job_id)
            folder.mkdir(parents=True)
            render = renders[i % distinct]
            for kind, source in (
                ("video", render.video),
                ("thumbnail", render.thumbnail),
                ("spritesheet", render.spritesheet),
            ):
                target = folder / source.name
                shutil.copyfile(source, target)
                store.assets.add(
                    tx,
                    job_id=job_id,
                    kind=kind,
                    path=str(target.relative_to(library)),
                    sha256=sha256_file(target),
                    size=target.stat().st_size,
                    duration=2.0 if kind == "video" else None,
                    at=20.0,
                )
            ids.append(job_id)
    return store, library, ids


def _plain(colour: tuple[int, int, int]) -> bytes:
    """A PNG of one colour (a clip's background)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 36), colour).save(out, "PNG")
    return out.getvalue()
