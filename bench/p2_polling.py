"""P2: status requests per completed job, Studio's engine vs the openai SDK, and the lag
between a job completing on the simulator and Studio seeing it.

200 jobs in flight on the simulator with render times spread over 15–90 s. Run 1: Studio's
engine (default polling policy; batched list requests). Run 2, same simulator settings: the
official `openai` SDK's `create_and_poll`, one asyncio task per job, default settings.
Goal: ≥ 10× fewer status requests than the SDK, lag p95 ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import warnings
from pathlib import Path

from studio.core.spec import RenderSpec
from studio.jobs import Engine, EngineConfig
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.sim.server import SimServer
from studio.sim.state import SimConfig
from studio.store import JobStatus, Store


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def sim_config(seed: int, spread: tuple[float, float]) -> SimConfig:
    return SimConfig(render_range=spread, seed=seed, render_workers=2)


async def studio_run(jobs: int, seed: int, spread: tuple[float, float]) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="studio-p2-"))
    with SimServer(sim_config(seed, spread)) as sim:
        store = Store(work / "studio.db")
        provider = OpenAIShapeProvider(sim.openai_base_url, sim.api_key)
        engine = Engine(
            store,
            provider,
            provider_key="sim",
            library=work / "library",
            config=EngineConfig(max_concurrent=jobs),
        )
        started = time.monotonic()
        specs = [
            RenderSpec(
                model="sim-fast",
                prompt=f"A red kite over dunes, take {i}",
                seconds=4,
                size="640x360",
            )
            for i in range(jobs)
        ]
        rows = (await engine.submit_batch(specs, name="p2")).jobs
        await engine.start()
        done = await engine.wait_finished([r.id for r in rows])
        wall = time.monotonic() - started
        await engine.stop()
        await provider.aclose()
        stats = sim.control("GET", "stats")
        lags = []
        for job in done:
            sim_job = sim.state.jobs[job.remote_id or ""]
            completed_at = sim.state.view(sim_job)["completed_at"]
            seen = next(
                at
                for at, status, _ in store.jobs.events(job.id)
                if status == JobStatus.DOWNLOADING.value
            )
            lags.append(seen - completed_at)
        store.close()
    ready = sum(j.status is JobStatus.READY for j in done)
    return {
        "ready": ready,
        "status_requests": stats["status_requests"],
        "per_job": stats["status_requests"] / max(1, ready),
        "lag_p50": percentile(lags, 50),
        "lag_p95": percentile(lags, 95),
        "lag_max": max(lags),
        "wall": wall,
    }


async def sdk_run(jobs: int, seed: int, spread: tuple[float, float]) -> dict[str, float]:
    from openai import AsyncOpenAI

    warnings.filterwarnings("ignore", "The Sora API is scheduled", DeprecationWarning)
    with SimServer(sim_config(seed, spread)) as sim:
        client = AsyncOpenAI(base_url=sim.openai_base_url, api_key=sim.api_key)
        started = time.monotonic()

        async def one(i: int) -> str:
            video = await client.videos.create_and_poll(
                prompt=f"A red kite over dunes, take {i}",
                model="sim-fast",
                seconds="4",
                size="640x360",
            )
            return video.status

        results = await asyncio.gather(*(one(i) for i in range(jobs)))
        wall = time.monotonic() - started
        await client.close()
        stats = sim.control("GET", "stats")
    ready = sum(r == "completed" for r in results)
    return {
        "ready": ready,
        "status_requests": stats["status_requests"],
        "per_job": stats["status_requests"] / max(1, ready),
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--min", type=float, default=15.0)
    parser.add_argument("--max", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    spread = (args.min, args.max)
    studio = asyncio.run(studio_run(args.jobs, args.seed, spread))
    sdk = asyncio.run(sdk_run(args.jobs, args.seed, spread))
    ratio = sdk["per_job"] / studio["per_job"] if studio["per_job"] else float("inf")
    print(f"P2: {args.jobs} jobs in flight, render times {args.min:.0f}–{args.max:.0f} s")
    print(
        f"  Studio engine: {studio['status_requests']:.0f} status requests, "
        f"{studio['per_job']:.2f} per completed job ({studio['ready']:.0f} ready, "
        f"{studio['wall']:.0f} s)"
    )
    print(
        f"  openai SDK:    {sdk['status_requests']:.0f} status requests, "
        f"{sdk['per_job']:.2f} per completed job ({sdk['ready']:.0f} completed, "
        f"{sdk['wall']:.0f} s)"
    )
    print(f"  ratio:         {ratio:.1f}x fewer status requests (goal >= 10x)")
    print(
        f"  lag complete->seen: p50 {studio['lag_p50']:.2f} s, p95 {studio['lag_p95']:.2f} s, "
        f"max {studio['lag_max']:.2f} s (goal p95 <= 5 s)"
    )


if __name__ == "__main__":
    main()
