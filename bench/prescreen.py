"""The machine pre-screen: seconds per 12 s 1280x720 clip on one core, and memory per worker.

A 12 s 1280x720 H.264 clip with sound is made with PyAV (a textured scene panning and
drifting, objects crossing it, grain: every frame differs, as a generated clip's do;
libx264 `veryfast`, CRF 20, B-frames), then screened in the app's own
worker (`ScreenPool`: spawned, niced) pinned to one core: once cold (the worker starts
and imports), then `--runs` times warm. Wall seconds and the worker's CPU seconds per clip
are printed (CPU time is what the clip costs; wall time also counts the machine's other
load). Floor: 10 s a clip; goal: 3 s. Memory: the worker's peak resident set after its
imports and after screening.

Then the runner (`Prescreener`, as the app runs it) works through `--clips` takes of that
clip while a 5 ms asyncio timer measures how late it fires, beside the same timer on the
idle loop first (the machine's own noise): the loop's drift while the pre-screen works. The
window's P3 is measured with the UI wired, by bench/p3_stalls.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

# Only what the worker needs at the top: a spawned worker imports this script again.
from studio.media.prescreen.expected import Expected
from studio.media.prescreen.pool import ScreenPool
from studio.media.prescreen.screen import screen_plain
from studio.media.prescreen.thresholds import Thresholds, load_thresholds

WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 24, 12
ASKED = Expected(seconds=SECONDS, width=WIDTH, height=HEIGHT, fps=FPS, audio=True)
FLOOR, GOAL = 10.0, 3.0


def make_clip(path: Path, preset: str) -> None:
    """A scene with texture at several scales, panning and drifting, two objects crossing
    it, grain that changes every frame, and a soft tone with noise for sound."""
    rng = np.random.default_rng(3)
    coarse = rng.random((HEIGHT // 16 + 4, (WIDTH + 600) // 16 + 4))
    fine = rng.random(((HEIGHT + 64) // 2 + 4, (WIDTH + 600) // 2 + 8))
    base = np.kron(coarse, np.ones((16, 16)))[: HEIGHT + 64, : WIDTH + 600] * 150
    base += np.kron(fine, np.ones((2, 2)))[: HEIGHT + 64, : WIDTH + 600] * 60
    tint = np.stack([base, np.roll(base, 37, axis=1) * 0.9, np.roll(base, 91, axis=0) * 0.8], 2)
    tint = tint.astype(np.float32)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    grain = [rng.normal(0, 4, (HEIGHT, WIDTH, 1)).astype(np.float32) for _ in range(7)]
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": preset, "crf": "20"}
        sound = out.add_stream("aac", rate=48_000, layout="stereo")
        for index in range(SECONDS * FPS):
            x, y = index * 2, int(32 + 24 * np.sin(index / 40))
            picture = tint[y : y + HEIGHT, x : x + WIDTH].copy()
            for speed, size, colour in ((5, 90, (240, 200, 50)), (-3, 60, (60, 160, 230))):
                cx = (200 + speed * index) % WIDTH
                cy = HEIGHT // 2 + int(150 * np.sin(index / (20 + size / 10)))
                picture[(xx - cx) ** 2 + (yy - cy) ** 2 < size**2] = colour
            picture += grain[index % len(grain)]  # a generated clip's fine, moving detail
            frame = av.VideoFrame.from_ndarray(picture.clip(0, 255).astype(np.uint8), "rgb24")
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for start in range(0, SECONDS * 48_000, 1024):
            t = np.arange(start, start + 1024) / 48_000
            wave = 0.1 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(1024)
            samples = np.stack([wave, wave]).astype(np.float32)
            block = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
            block.sample_rate, block.pts = 48_000, start
            block.time_base = Fraction(1, 48_000)
            out.mux(sound.encode(block))
        out.mux(sound.encode(None))


def timed_screen(path: str, expected: Expected, thresholds: Thresholds) -> dict[str, Any]:
    """In the worker: the app's screening, with the worker's CPU time it took."""
    cpu = time.process_time()
    result = screen_plain(path, expected, thresholds)
    result["cpu_seconds"] = time.process_time() - cpu
    return result


def per_clip(clip: Path, runs: int, core: int) -> None:
    thresholds = load_thresholds()
    pool = ScreenPool(cores={core})
    try:
        started = time.perf_counter()
        baseline = pool.peak_memory().result()  # the worker started and imported
        cold_start = time.perf_counter() - started
        started = time.perf_counter()
        first = pool.call(timed_screen, str(clip), ASKED, thresholds).result()
        cold = time.perf_counter() - started
        walls, cpus = [], []
        for _ in range(runs):
            started = time.perf_counter()
            result = pool.call(timed_screen, str(clip), ASKED, thresholds).result()
            walls.append(time.perf_counter() - started)
            cpus.append(result["cpu_seconds"])
        peak = pool.peak_memory().result()
    finally:
        pool.close()
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    flags = [f["check"] for f in first["flags"]]
    print(f"worker start (spawn, imports): {cold_start:.2f} s; first clip {cold:.2f} s wall")
    print(f"per clip, median of {runs} (one core, #{core}): {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"(floor {FLOOR:g} s, goal {GOAL:g} s: {'met' if cpu <= GOAL else 'NOT met'}); "
          f"{SECONDS / cpu:.1f}x real time")  # fmt: skip
    print(f"worker memory: {baseline / 2**20:.0f} MiB after imports, "
          f"{peak / 2**20:.0f} MiB peak after screening")  # fmt: skip
    print(f"flags on the bench clip: {flags or 'none'} (it is clean)")


async def loop_drift(clip: Path, clips: int, folder: Path) -> None:
    from studio.core.files import sha256_file
    from studio.jobs.events import EventBus
    from studio.services.prescreen import Prescreener
    from studio.store import Store

    store = Store(folder / "studio.db")
    library = folder / "library"
    digest = await asyncio.to_thread(sha256_file, clip)
    spec = '{"seconds": 12, "size": "1280x720"}'
    with store.db.write() as tx:
        for n in range(clips):
            row = {"provider": "sim", "model": "sim-pro", "prompt": f"p{n}", "spec_json": spec,
                   "idem_key": f"k{n}", "status": "ready"}  # fmt: skip
            job_id = store.jobs.insert(tx, row, at=1.0)
            target = library / "clips" / f"{job_id:07d}" / "video.mp4"
            target.parent.mkdir(parents=True)
            shutil.copyfile(clip, target)
            store.assets.add(tx, job_id=job_id, kind="video",
                             path=str(target.relative_to(library)), sha256=digest,
                             size=clip.stat().st_size, duration=12.0, at=1.0)  # fmt: skip
    idle_until = time.perf_counter() + IDLE_SECONDS
    idle = await drift(lambda: time.perf_counter() < idle_until)
    runner = Prescreener(store, library, EventBus())
    started = time.perf_counter()
    runner.start()
    busy = await drift(lambda: runner.pending > 0)
    took = time.perf_counter() - started
    await runner.close()
    screened = len(store.flags.checks_for(list(range(1, clips + 1))))
    store.close()
    print(f"runner: {screened} of {clips} clips screened in {took:.1f} s "
          f"({took / clips:.2f} s a clip, one worker)")  # fmt: skip
    print(f"asyncio 5 ms timer drift, loop idle {IDLE_SECONDS:g} s: {shown(idle)}")
    print(f"asyncio 5 ms timer drift, while the runner works: {shown(busy)}")


IDLE_SECONDS = 10.0


async def drift(going: Callable[[], bool]) -> list[float]:
    """How late (ms) a 5 ms sleep wakes, again and again while `going()` holds."""
    late: list[float] = []
    while going() or not late:
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        late.append((time.perf_counter() - before - 0.005) * 1000)
    return late


def shown(late: list[float]) -> str:
    ordered = sorted(late)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    return (f"median {statistics.median(late):.1f} ms, p99 {p99:.1f} ms, "
            f"max {max(late):.1f} ms ({len(late)} samples)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 warm runs, 5 runner clips")
    parser.add_argument("--runs", type=int, default=5, help="warm runs of the one-core timing")
    parser.add_argument("--clips", type=int, default=20, help="takes the runner works through")
    parser.add_argument("--preset", default="veryfast", help="libx264 preset of the bench clip")
    parser.add_argument("--core", type=int, help="the core to pin the worker to (default: last)")
    args = parser.parse_args()
    runs, clips = (3, 5) if args.quick else (args.runs, args.clips)
    core = args.core if args.core is not None else max(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="studio-prescreen-") as tmp:
        clip = Path(tmp) / "bench.mp4"
        started = time.perf_counter()
        make_clip(clip, args.preset)
        size = clip.stat().st_size
        print(f"bench clip: {SECONDS} s {WIDTH}x{HEIGHT} {FPS} fps, {args.preset}, "
              f"{size / 2**20:.1f} MiB ({size * 8 / SECONDS / 1e6:.1f} Mbit/s), "
              f"made in {time.perf_counter() - started:.0f} s")  # fmt: skip
        per_clip(clip, runs, core)
        asyncio.run(loop_drift(clip, clips, Path(tmp) / "runner"))


if __name__ == "__main__":
    main()
