"""A screenshot of the blind pairwise mode with its ranking, a dozen choices in. Run under
Xvfb at the screen size wanted:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python \
        bench/screenshots_pairwise.py docs/screenshots 1280x800
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-shots-")

from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.core.files import sha256_file  # noqa: E402
from studio.sim.render import ClipRequest, render_clip  # noqa: E402
from studio.store import Store  # noqa: E402
from studio.ui.review.pairwise import PairwiseMode  # noqa: E402
from studio.ui.shell.theme import apply_theme  # noqa: E402

TAKES = 8


def library(root: Path) -> tuple[Store, Path, list[int]]:
    """Eight finished takes with real clips (four renders, copied round)."""
    folder = root / "library"
    renders = [
        render_clip(ClipRequest(f"take {i}", 1280, 720, 4), root / "renders" / str(i))
        for i in range(4)
    ]
    store = Store(root / "studio.db")
    ids = []
    with store.db.write() as tx:
        for i in range(TAKES):
            spec = {"model": "sim-fast", "prompt": f"a kite, take {i}", "seconds": 4}
            job_id = store.jobs.insert(
                tx,
                {"provider": "sim", "model": "sim-fast", "prompt": spec["prompt"],
                 "spec_json": json.dumps(spec), "idem_key": f"shot-{i}", "status": "ready",
                 "estimated_cost": 0.4},
                at=time.time(),
            )  # fmt: skip
            target = folder / "clips" / str(job_id) / "video.mp4"
            target.parent.mkdir(parents=True)
            shutil.copyfile(renders[i % 4].video, target)
            store.assets.add(tx, job_id=job_id, kind="video",
                             path=str(target.relative_to(folder)), sha256=sha256_file(target),
                             size=target.stat().st_size, duration=4.0, at=time.time())  # fmt: skip
            ids.append(job_id)
    return store, folder, ids


def main() -> int:
    out, size = Path(sys.argv[1]), sys.argv[2]
    width, height = (int(v) for v in size.split("x"))
    app = QApplication([])
    apply_theme(app, "dark")
    store, folder, ids = library(Path(tempfile.mkdtemp(prefix="studio-pairwise-")))
    mode = PairwiseMode.open(store, folder, ids, "ana", seed=4)
    mode.resize(width, height)
    mode.move(0, 0)
    best_first = [ids[i] for i in (5, 2, 7, 0, 3, 6, 1, 4)]
    for _ in range(12):  # a reviewer who prefers the takes in this order
        left, right = mode.session.pair
        mode.choose("left" if best_first.index(left) < best_first.index(right) else "right")
    deadline = time.monotonic() + 10
    while not mode.compare.ready() and time.monotonic() < deadline:
        app.processEvents()
    mode.compare.seek_frame(30)
    until = time.monotonic() + 1.0
    while time.monotonic() < until:
        app.processEvents()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"pairwise-{size}.png"
    mode.grab().save(str(path))
    print(f"wrote {path}")
    mode.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
