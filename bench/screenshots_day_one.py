"""The day-one screenshots: the editor with its Render group and Queue button in view, the
queue with variant labels and run order, the review in the dark theme with its scores
chosen, the full-screen player with the safe-area guides, and Settings. Run under Xvfb at
the screen size wanted:

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python \\
        bench/screenshots_day_one.py docs/screenshots 1920x1080
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
from studio.ui.shell.settings_dialog import SettingsDialog  # noqa: E402

CAMERAS = ("slow push in at eye level", "overhead top-down", "low tracking shot", "static wide")


async def scenario(app: QApplication, window: MainWindow, out: Path, size: str) -> None:
    services = await attach_sim(window, size, Settings(daily_cap=20.0, reviewer="ana"), 0.8)
    editor, store = window.editor, services.store
    base = PromptSlots(
        subject="a matte black wireless speaker",
        action="rotates slowly on a turntable",
        setting="a seamless light grey studio sweep",
        lighting="soft studio softbox lighting",
        style="premium commercial look",
        constraints="no text overlays, no logos",
    )
    editor.set_slots(base)
    editor.size_box.setCurrentIndex(editor.size_box.findData("1280x720"))
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("camera"))
    editor.variant_values.setPlainText("\n".join(CAMERAS))
    editor.request_submit()
    await until(lambda: len(store.jobs.ids()) == 4)
    await until(lambda: all(j.status.value == "ready" for j in store.jobs.many(store.jobs.ids())))
    services.engine.pause("paused for the screenshot")  # the next batch waits: its order shows
    editor.set_slots(base.with_slot("subject", "a brushed steel water bottle"))
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("lighting"))
    editor.variant_values.setPlainText("golden hour\nneon night\noverhead softbox")
    editor.request_submit()
    await until(lambda: len(store.jobs.ids()) == 7)
    newest = store.jobs.ids()[0]
    services.engine.move([newest], to_top=True)  # Move to top: the order column says so
    await asyncio.sleep(0.6)
    window.queue.view.selectRow(window.queue.model.row_of(newest) or 0)  # type: ignore[union-attr]
    editor.fields["subject"].setFocus()
    await asyncio.sleep(0.4)
    shot(app, out, "editor-render-queue", size)

    services.engine.resume()
    first = store.jobs.ids()[-1]  # the speaker batch, oldest first
    window.open_job(first)
    review = window.review
    await until(lambda: review.player.deck.ready)
    for value in (2, 1, 2):
        review.score(value)
    review.toggle_tag("jitter")
    review.decide("approve")
    review.score(2)
    review.score(0)  # mid-review: the selection shows on the current criterion
    review.player.seek_frame(40)
    await asyncio.sleep(1.0)
    shot(app, out, "review-dark", size)

    review.player.set_guides(True)
    window.set_fullscreen(True)
    review.player.seek_frame(60)
    await asyncio.sleep(1.2)
    shot(app, out, "player-fullscreen-guides", size)
    window.set_fullscreen(False)
    review.player.set_guides(False)

    dialog = SettingsDialog(services.settings, window)
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai"))
    dialog.base_url.setText("https://gateway.example.com/v1")
    dialog.models.setText("sora-2, sora-2-pro")
    dialog.show()
    dialog.move((window.width() - dialog.width()) // 2, (window.height() - dialog.height()) // 3)
    await asyncio.sleep(0.6)
    shot(app, out, "settings", size)
    dialog.close()
    await detach(window, services)


if __name__ == "__main__":
    shots_main(scenario)
