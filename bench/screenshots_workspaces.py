"""Issue 20's screenshots: the Library workspace's culling grid with its badges (a portrait
take among landscape ones), a note drawn on the frame with its marks on the scrub bar, and
the Write workspace with no provider key. Run under Xvfb at the screen size wanted:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python \\
        bench/screenshots_workspaces.py docs/screenshots 1280x800
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-shots-")

from _gui import attach_sim, detach, shot, shots_main, until  # noqa: E402  (a sibling module: run as a script)
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config.settings import Settings  # noqa: E402
from studio.core.notes import Shape  # noqa: E402
from studio.core.spec import RenderSpec  # noqa: E402
from studio.library.ops import DecisionEntry, ops_for  # noqa: E402
from studio.review.rubric import load_active  # noqa: E402
from studio.services import open_services  # noqa: E402
from studio.ui.shell.main_window import MainWindow  # noqa: E402

SUBJECTS = ("a red kite over dunes", "a paper lantern at dusk", "a heron lands on a post",
            "a matte black speaker turns", "a tram crosses a bridge", "an owl turns its head",
            "a cyclist climbs a hill", "a steel bottle on a rock")  # fmt: skip


async def scenario(app: QApplication, window: MainWindow, out: Path, size: str) -> None:
    services = await attach_sim(window, size, Settings(reviewer="ana"), 0.5)
    store, engine = services.store, services.engine
    specs = [
        RenderSpec(
            model="sim-fast",
            prompt=subject,
            seconds=4,
            size="360x640" if n in (2, 5) else "640x360",
        )
        for n, subject in enumerate(SUBJECTS)
    ]
    for spec in specs:  # one take each: a tile each
        await engine.submit(spec, project="spring")
    await until(lambda: len(store.jobs.ids()) == len(SUBJECTS))
    await until(lambda: all(j.status.value == "ready" for j in store.jobs.many(store.jobs.ids())))
    ids = sorted(store.jobs.ids())
    ops, now = ops_for(store), time.time()
    scores = {"motion": 2, "framing": 2, "brand": 1}
    ops.decide(
        [DecisionEntry(ids[0], "approve", scores=scores), DecisionEntry(ids[1], "discard"),
         DecisionEntry(ids[3], "edit", scores={"motion": 1, "framing": 1, "brand": 1}),
         DecisionEntry(ids[6], "approve", scores=scores)],
        reviewer="ana", rubric_id=load_active(store).rubric_id, at=now,
    )  # fmt: skip
    ops.star([ids[0], ids[6]], True, at=now)
    ops.set_tags({ids[1]: ["jitter", "off-frame"], ids[3]: ["jitter"]}, at=now)

    window.show_workspace("library")
    panel = window.library.panel
    await until(lambda: panel.model is not None)
    panel.grid.setFocus()
    await asyncio.sleep(1.0)
    shot(app, out, "library-grid", size)

    # a note drawn on the frame: a box around the problem, its mark on the scrub bar
    window.review_takes([ids[0]])
    player = window.review.player
    await until(lambda: player.frames > 0 and player.sketch.picture() is not None)
    for frame, text, shapes in (
        (30, "the kite's tail warps here", [Shape("rect", ((380.0, 90.0), (560.0, 250.0)))]),
        (70, "logo too close to the edge", [Shape("arrow", ((200.0, 300.0), (90.0, 330.0)),
                                                "yellow")]),
    ):  # fmt: skip
        ops.add_note(ids[0], frame, fps=player.fps, picture=(640, 360), text=text,
                     shapes=shapes, author="ana")  # fmt: skip
    window.review.notes.reload()
    player.pause()
    player.seek_frame(30)
    await until(lambda: player.shown_frame() == 30)
    await asyncio.sleep(0.8)
    shot(app, out, "review-note", size)

    await detach(window, services)

    # the Write workspace with no provider key: the library opens, renders wait
    offline = await open_services(Settings(provider="openai", reviewer="ana"))
    window.attach(offline)
    window.show_workspace("write")
    await until(lambda: window.editor.model_box.count() > 0)
    await asyncio.sleep(0.8)
    shot(app, out, "write-no-provider", size)
    await detach(window, offline)


if __name__ == "__main__":
    shots_main(scenario)
