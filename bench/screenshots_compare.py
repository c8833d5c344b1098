"""Issue 20's compare and blind screenshots: nine takes of a variant batch in a 3x3 compare
with the prompt diff of each against the first, two takes in the wipe, the review in blind
mode (neutral labels, two takes decided), and compare in blind mode. Run under Xvfb at the
screen size wanted:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python \\
        bench/screenshots_compare.py docs/screenshots 1280x800
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-shots-")

from _gui import attach_sim, detach, shot, shots_main, until  # noqa: E402  (a sibling module: run as a script)
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config.settings import Settings  # noqa: E402
from studio.prompts import PromptSlots  # noqa: E402
from studio.ui.shell.main_window import MainWindow  # noqa: E402

CAMERA = (
    "slow dolly in, eye level",
    "macro push-in on the grille",
    "orbit left, low angle",
    "static wide shot",
    "crane up and over",
    "handheld drift",
    "top-down overhead",
    "rack focus front to back",
    "whip pan from the left",
)


async def scenario(app: QApplication, window: MainWindow, out: Path, size: str) -> None:
    services = await attach_sim(window, size, Settings(daily_cap=200.0, reviewer="ana"), 0.5)
    store = services.store
    editor = window.editor
    editor.size_box.setCurrentIndex(editor.size_box.findData("1280x720"))
    editor.set_slots(
        PromptSlots(
            subject="a matte black wireless speaker",
            action="rotates slowly on a turntable",
            setting="a seamless light grey studio sweep",
            camera=CAMERA[0],
            lighting="even studio softbox lighting",
            style="premium commercial look",
        )
    )
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("camera"))
    editor.variant_values.setPlainText("\n".join(CAMERA))
    editor.request_submit()  # as the Queue button does
    try:
        await until(lambda: len(store.jobs.ids()) >= len(CAMERA), 60)
    except TimeoutError:
        raise SystemExit(f"not queued: {editor.status.text()}") from None
    ids = sorted(store.jobs.ids())[: len(CAMERA)]
    await until(lambda: all(j.status.value == "ready" for j in store.jobs.many(ids)))

    # A 3x3 compare of the batch, each take's prompt against the first's.
    window.open_compare(ids)
    compare = window.compare
    await until(compare.ready)
    compare.seek_frame(40)
    await asyncio.sleep(1.5)
    shot(app, out, "compare-3x3", size)

    # Two takes wiped: the first left of the divider, the second right of it.
    window.open_compare(ids[:2])
    await until(compare.ready)
    compare.toggle_wipe()
    compare.set_wipe_at(0.45)
    compare.seek_frame(40)
    await asyncio.sleep(1.5)
    shot(app, out, "compare-wipe", size)

    # Blind: two takes decided, the one in view not yet; the list by neutral labels.
    window.open_job(ids[0])
    review = window.review
    await until(lambda: review.player.deck.ready)
    review.blind.setChecked(True)
    session = review.session
    assert session is not None
    for value, scores in (("approve", (2, 2, 2)), ("discard", (1, 0, 0))):
        for score in scores:
            review.score(score)
        review.decide(value)
    await until(lambda: review.player.deck.ready)
    review.player.seek_frame(30)
    await asyncio.sleep(1.0)
    shot(app, out, "review-blind", size)

    # Compare in blind mode: the takes by their labels, no prompt diff, no model.
    window.open_compare([t.job_id for t in session.takes[:4]])  # in the list's order
    await until(compare.ready)
    compare.seek_frame(30)
    await asyncio.sleep(1.5)
    shot(app, out, "compare-blind", size)
    await detach(window, services)


if __name__ == "__main__":
    shots_main(scenario)
