"""P7: export of approved clips, the way a person runs it (`studio export --out DIR`: copy,
fsync, re-read and verify, sidecars, manifest, SHA256SUMS), against the baseline of the
same bytes copied and checked with the system's tools in the same run:
`cp` + `sync` + `sha256sum` of the destination files. Goal ≥ 0.9× their throughput
(floor 0.8×).

    python bench/p7_export.py                  # 100 approved clips of 20 MB
    python bench/p7_export.py --clips 20 --mb 5

The library is built first: one real H.264 clip from the simulator's renderer, made into
distinct 20 MB files (the clip plus unique trailing bytes, as a longer render would be),
with job rows, assets and an approve decision each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from studio.core.files import sha256_file
from studio.sim.render import ClipRequest, render_clip
from studio.store import Store
from studio.store.layout import job_folder


def build_library(root: Path, clips: int, megabytes: int) -> Path:
    db = root / "data" / "studio.db"
    library = db.parent / "library"
    seed = root / "seed"
    seed.mkdir(parents=True)
    render_clip(ClipRequest(prompt="a paper boat", width=640, height=360, seconds=4), seed)
    base = (seed / "video.mp4").read_bytes()
    store = Store(db)
    try:
        for i in range(clips):
            with store.db.write() as tx:
                job_id = store.jobs.insert(
                    tx,
                    {
                        "provider": "sim",
                        "project": "p7",
                        "model": "sim-fast",
                        "prompt": f"a paper boat, take {i}",
                        "spec_json": '{"seconds": 4, "size": "640x360"}',
                        "idem_key": uuid.uuid4().hex,
                        "status": "ready",
                    },
                    at=time.time(),
                )
            folder = job_folder(library, job_id)
            folder.mkdir(parents=True)
            video = folder / "video.mp4"
            with video.open("wb") as out:
                out.write(base)
                out.write(os.urandom(max(0, megabytes * 1_000_000 - len(base))))
            with store.db.write() as tx:
                store.assets.add(
                    tx,
                    job_id=job_id,
                    kind="video",
                    path=str(video.relative_to(library)),
                    sha256=sha256_file(video),
                    size=video.stat().st_size,
                    duration=4.0,
                    at=time.time(),
                )
            store.verdicts.decide(job_id, "approve", reviewer="p7", at=time.time())
    finally:
        store.close()
    return db


def drop_caches() -> None:
    """Both runs read from the page cache alike: warm it with one read of the library."""
    subprocess.run(["sync"], check=True)


def time_studio(db: Path, out: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "studio", "export", "--out", str(out), "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"studio export failed: {result.stderr[-500:]}")
    return elapsed


def time_baseline(library: Path, out: Path) -> float:
    files = sorted(str(p) for p in (library / "clips").glob("*/video.mp4"))
    out.mkdir()
    started = time.perf_counter()
    # cp cannot rename per file in one call; one folder per clip keeps the names apart
    for i, path in enumerate(files):
        subprocess.run(["cp", path, str(out / f"{i:05d}.mp4")], check=True)
    subprocess.run(["sync"], check=True)
    subprocess.run(
        ["sha256sum", *sorted(str(p) for p in out.glob("*.mp4"))],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=100)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="studio-p7-"))
    try:
        db = build_library(root, args.clips, args.mb)
        library = db.parent / "library"
        total_mb = args.clips * args.mb
        studio_times, base_times = [], []
        for r in range(args.rounds):  # alternating, so drift hits both alike
            drop_caches()
            base_times.append(time_baseline(library, root / f"cp-{r}"))
            drop_caches()
            studio_times.append(time_studio(db, root / f"export-{r}"))
            shutil.rmtree(root / f"cp-{r}")
            shutil.rmtree(root / f"export-{r}")
        studio_s, base_s = min(studio_times), min(base_times)
        print(f"P7: export of {args.clips} approved clips of {args.mb} MB ({total_mb} MB)")
        print(f"  studio export (launcher, verify, sidecars): {total_mb / studio_s:.0f} MB/s")
        print(f"  cp + sync + sha256sum (baseline):           {total_mb / base_s:.0f} MB/s")
        ratio = base_s / studio_s
        print(f"  throughput ratio: {ratio:.2f}x of the baseline (floor 0.8x, goal 0.9x)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
