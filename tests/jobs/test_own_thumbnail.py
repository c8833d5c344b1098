"""A provider that gives no thumbnail (OpenRouter's shape has no such variant): the take gets
one made from its clip, so the queue shows it like any other take. Real renders from the
simulator in OpenRouter's shape, real files."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import av
import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from studio.jobs import Engine
from studio.media.thumbnail import thumbnail_from_clip
from studio.providers.openrouter import OpenRouterProvider
from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from studio.ui.write.queue_model import COLUMNS, JobTableModel
from tests.conftest import fast_retry
from tests.jobs.conftest import fast_config, spec


async def test_openrouter_takes_get_a_thumbnail_from_their_clip(
    qapp: QApplication, sim: SimServer, store: Store, library: Path
) -> None:
    provider = OpenRouterProvider(sim.openrouter_base_url, sim.api_key, retry=fast_retry())
    assert "thumbnail" not in provider.variants  # the shape offers none
    engine = Engine(store, provider, provider_key="sim", library=library, config=fast_config())
    try:
        await engine.start()
        queued = (await engine.submit_batch([spec("a heron"), spec("a crane")], name="b")).jobs
        done = await asyncio.wait_for(engine.wait_finished([j.id for j in queued]), 60)
    finally:
        await engine.stop()
        await provider.aclose()
    assert [j.status for j in done] == [JobStatus.READY] * 2
    for job in done:
        assets = store.assets.for_job(job.id)
        assert set(assets) == {"video", "thumbnail"}
        thumb = library / assets["thumbnail"].path
        assert hashlib.sha256(thumb.read_bytes()).hexdigest() == assets["thumbnail"].sha256
        assert assets["thumbnail"].size == thumb.stat().st_size
        with Image.open(thumb) as image:
            assert image.format == "WEBP"
            assert image.size == (320, 180)  # the 640x360 clip's first frame, small
        with av.open(str(library / assets["video"].path)) as clip:
            first = next(clip.decode(video=0)).to_image().resize((320, 180))
        with Image.open(thumb) as image:  # the clip's own picture, not some other image
            made = np.asarray(image.convert("RGB"), dtype=np.int16)
        assert np.abs(made - np.asarray(first, dtype=np.int16)).mean() < 12
    assert not list(library.rglob("*.part"))

    model = JobTableModel(store, library=library)  # what the queue shows for the row
    prompt = next(i for i, c in enumerate(COLUMNS) if c.key == "prompt")
    for job in done:
        icon = model.index(model.row_of(job.id) or 0, prompt).data(Qt.ItemDataRole.DecorationRole)
        assert icon is not None
        assert (icon.width(), icon.height()) == (48, 27)


def test_a_clip_with_no_frame_makes_no_thumbnail_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "clips" / "0000001"
    folder.mkdir(parents=True)
    broken = folder / "video.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500)
    assert thumbnail_from_clip(broken, folder / "thumbnail.webp") is None
    assert list(folder.iterdir()) == [broken]  # no thumbnail, no temporary file
