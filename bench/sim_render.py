"""Simulator render speed: seconds of video rendered per second of wall time.

1. One clip at a time (PyAV encode in this process), for 4 s / 12 s at 1280x720 and 1792x1024.
2. The running simulator end to end over HTTP: N jobs created at once with no simulated
   wait, so completion time is pure render time through the server's worker pool.

Ratios above 1.0 are faster than real time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx

from studio.sim.render import ClipRequest, render_clip
from studio.sim.server import SimServer
from studio.sim.state import SimConfig

PROMPT = "A red fox trots through fresh snow at dawn, slow dolly in, golden hour light"


def single(seconds: int, size: str, folder: Path) -> float:
    width, height = (int(v) for v in size.split("x"))
    started = time.perf_counter()
    render_clip(ClipRequest(PROMPT, width, height, seconds, "sim-pro"), folder)
    return time.perf_counter() - started


def over_http(jobs: int, seconds: int, size: str) -> float:
    config = SimConfig(render_seconds=0.0, queue_fraction=0.0)
    with (
        SimServer(config) as sim,
        httpx.Client(
            base_url=sim.openai_base_url, headers={"Authorization": f"Bearer {sim.api_key}"}
        ) as client,
    ):
        started = time.perf_counter()
        ids = [
            client.post(
                "/videos",
                json={
                    "prompt": f"{PROMPT} #{i}",
                    "model": "sim-pro",
                    "seconds": str(seconds),
                    "size": size,
                },
            ).json()["id"]
            for i in range(jobs)
        ]
        pending = set(ids)
        while pending:
            for vid in list(pending):
                if client.get(f"/videos/{vid}").json()["status"] == "completed":
                    pending.discard(vid)
            time.sleep(0.05)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="4 s clips only")
    args = parser.parse_args()
    cases = [(4, "1280x720"), (4, "1792x1024")]
    if not args.quick:
        cases += [(12, "1280x720"), (12, "1792x1024")]
    print("simulator render, one clip at a time")
    print(f"{'clip':<18}{'wall s':>9}{'video s / wall s':>20}")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (seconds, size) in enumerate(cases):
            wall = single(seconds, size, Path(tmp) / str(i))
            print(f"{seconds:>3} s {size:<12}{wall:>9.2f}{seconds / wall:>20.2f}")
    jobs = 4
    print(f"\nsimulator over HTTP, {jobs} jobs at once (2 render workers)")
    print(f"{'clip':<18}{'wall s':>9}{'video s / wall s':>20}")
    for seconds, size in cases[:2]:
        wall = over_http(jobs, seconds, size)
        print(f"{seconds:>3} s {size:<12}{wall:>9.2f}{jobs * seconds / wall:>20.2f}")


if __name__ == "__main__":
    main()
