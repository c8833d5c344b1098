"""Clips for the notes' tests: real MP4s whose every frame carries its index (the
simulator's block code, studio.sim.framecode), at any frame rate, and takes that own them
in a real library."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from studio.core.files import sha256_file
from studio.sim import framecode
from studio.store import Store
from studio.store.layout import FILE_NAMES, job_folder
from tests.helpers import job_values


def coded_clip(path: Path, *, fps: int, frames: int, size: tuple[int, int] = (320, 180)) -> Path:
    """An H.264 MP4 of `frames` frames at `fps`, each a grey picture with its index coded
    in the top-left corner."""
    width, height = size
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "18", "g": str(fps)}
        for index in range(frames):
            pixels = np.full((height, width, 3), 90 + index % 40, dtype=np.uint8)
            framecode.stamp(pixels, index)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def take_with_clip(
    store: Store, library: Path, clip: Path, *, fps: int, frames: int, prompt: str = "a kite"
) -> int:
    """A ready take in the library whose video is a copy of `clip` (recorded as downloads
    record theirs: path, sha256, size, duration)."""
    now = time.time()
    with store.db.write() as tx:
        job_id = store.jobs.insert(tx, job_values(prompt, prompt=prompt), at=now)
    folder = job_folder(library, job_id)
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / FILE_NAMES["video"]
    video.write_bytes(clip.read_bytes())
    with store.db.write() as tx:
        store.assets.add(tx, job_id=job_id, kind="video", path=str(video.relative_to(library)),
                         sha256=sha256_file(video), size=video.stat().st_size,
                         duration=frames / fps, at=now)  # fmt: skip
    return job_id
