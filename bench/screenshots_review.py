"""Screenshots of the review: player with the rubric mid-review, compare with the prompt
diff, and the lineage of a revised shot. Run under Xvfb at the screen size wanted:

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python \
        bench/screenshots_review.py docs/screenshots 1920x1080 [dark|light]
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

LIGHTING = (
    "warm golden hour sunlight",
    "neon night reflections",
    "soft overcast daylight",
    "even studio softbox lighting",
    "hard noon sun",
    "candlelight",
)


def scores(window: MainWindow, *values: int) -> None:
    """As the 0/1/2 keys do (Xvfb without a window manager never activates the window,
    so key presses would not reach its shortcuts)."""
    for value in values:
        window.review.score(value)


async def scenario(app: QApplication, window: MainWindow, out: Path, size: str) -> None:
    services = await attach_sim(window, size, Settings(daily_cap=20.0, reviewer="ana"), 0.5)
    await asyncio.sleep(0.5)
    base = PromptSlots(
        subject="a matte black wireless speaker",
        action="rotates slowly on a turntable",
        setting="a seamless light grey studio sweep",
        camera="slow dolly in, eye level",
        lighting=LIGHTING[0],
        style="premium commercial look",
        constraints="no text overlays, no logos",
    )
    editor = window.editor
    editor.size_box.setCurrentIndex(editor.size_box.findData("1280x720"))
    editor.set_slots(base)
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("lighting"))
    editor.variant_values.setPlainText("\n".join(LIGHTING))
    editor.request_submit()  # as the Queue button does
    await until(lambda: len(services.store.jobs.ids()) >= len(LIGHTING))
    jobs = services.store.jobs.many(services.store.jobs.ids()[: len(LIGHTING)])
    store = services.store
    await until(lambda: all(j.status.value == "ready" for j in store.jobs.many(x.id for x in jobs)))
    window.open_job(jobs[0].id)
    review = window.review
    await until(lambda: review.player.deck.ready)
    scores(window, 2, 2, 1)
    review.decide("approve")
    scores(window, 1, 2, 0)
    review.toggle_tag("logo")
    review.decide("discard")
    scores(window, 2, 1)  # mid-review: two criteria scored on the third take
    review.toggle_tag("wrong camera move")
    await until(lambda: review.player.deck.ready)
    review.player.seek_frame(40)
    await asyncio.sleep(1.0)
    shot(app, out, "review-player", size)

    review.compare_takes()
    await until(window.compare.ready)
    window.compare.seek_frame(52)
    await asyncio.sleep(1.0)
    shot(app, out, "review-compare", size)

    window.stage.setCurrentWidget(review)
    parent = review.session.take.job_id  # type: ignore[union-attr]
    review.decide("edit")
    editor.fields["action"].setPlainText("rotates slowly, then the camera rises above it")
    editor.request_submit()
    await until(lambda: store.jobs.children(parent))
    child = store.jobs.children(parent)[0]
    await until(lambda: store.jobs.get(child.id).status.value == "ready")  # type: ignore[union-attr]
    window.review_takes([parent, child.id], start=child.id)
    await until(lambda: review.player.deck.ready)
    scores(window, 2, 2, 2)
    review.decide("approve")
    window.open_lineage(child.id)
    await asyncio.sleep(0.5)
    shot(app, out, "review-lineage", size)
    await detach(window, services)


if __name__ == "__main__":
    shots_main(scenario)
