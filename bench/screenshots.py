"""Take the README's screenshots under Xvfb: `xvfb-run -a -s "-screen 0 1280x800x24"
python bench/screenshots.py docs/screenshots [dark|light]` (a real window, grabbed from the
screen; the dark theme unless named)."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-shot-")

from _gui import run_window  # noqa: E402  (a sibling module: run as a script)
from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

from studio.config.settings import Settings  # noqa: E402
from studio.prompts import PromptSlots  # noqa: E402
from studio.services import RunOptions, open_services  # noqa: E402
from studio.sim.state import SimConfig  # noqa: E402
from studio.ui.shell.main_window import MainWindow  # noqa: E402


def product_photo(path: Path) -> None:
    img = Image.new("RGB", (1200, 1200), (236, 232, 226))
    draw = ImageDraw.Draw(img)
    draw.ellipse((330, 860, 870, 960), fill=(205, 200, 192))
    draw.rounded_rectangle((420, 300, 780, 900), radius=60, fill=(28, 28, 30))
    draw.ellipse((500, 420, 700, 620), fill=(60, 60, 64))
    draw.ellipse((540, 680, 660, 800), fill=(60, 60, 64))
    img.save(path, "JPEG", quality=92)


async def scenario(app: QApplication, window: MainWindow, out: Path) -> None:
    services = await open_services(
        Settings(daily_cap=10.0), RunOptions(sim_config=SimConfig(render_range=(2.0, 40.0)), seed=4)
    )
    window.attach(services)
    await asyncio.sleep(0.5)
    editor = window.editor
    editor.size_box.setCurrentIndex(editor.size_box.findData("1280x720"))
    photo = Path(tempfile.mkdtemp()) / "speaker.jpg"
    product_photo(photo)
    await editor.reference.load(photo)
    base = PromptSlots(
        subject="a matte black wireless speaker",
        action="rotates slowly on a turntable",
        setting="a seamless light grey studio sweep",
        camera="slow dolly in, eye level",
        lighting="even studio softbox lighting",
        style="premium commercial look",
        constraints="no text overlays, no logos",
    )
    editor.set_slots(base.with_slot("subject", "Nike speaker"))
    editor.request_submit()  # refused by moderation later: a policy failure in the queue
    await asyncio.sleep(0.5)
    editor.set_slots(base)
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("lighting"))
    editor.variant_values.setPlainText(
        "even studio softbox lighting\nwarm golden hour sunlight\n"
        "neon night reflections\nsoft overcast daylight"
    )
    editor.refresh()
    editor.request_submit()
    await asyncio.sleep(12)
    editor.variant_slot.setCurrentIndex(0)
    editor.set_slots(
        base.with_slot("style", "awesome vibes, slow motion with fast cuts").with_slot(
            "action", "rotates, lifts off, spins then cut to a beach"
        )
    )
    editor.seconds_box.setCurrentIndex(0)
    await asyncio.sleep(0.4)
    ready = [
        j.id
        for j in services.store.jobs.with_status(*services.store.jobs.count_by_status())
        if j.status.value == "ready"
    ]
    if ready:
        window.open_job(ready[0])
        window.set_review_layout(False)  # this shot is of writing: editor and queue shown
        editor.fields["subject"].setFocus()  # writing: the editor is the focused panel
        window.queue.view.selectRow(window.queue.model.row_of(ready[0]) or 0)  # type: ignore[union-attr]
        window.review.player.seek_frame(30)
        await asyncio.sleep(1.5)
    await asyncio.sleep(0.3)
    app.primaryScreen().grabWindow(0).save(str(out / "studio-editor-queue.png"))
    scroll = editor.findChild(QScrollArea)
    if scroll is not None:
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    await asyncio.sleep(0.3)
    app.primaryScreen().grabWindow(0).save(str(out / "studio-reference-render.png"))
    save = services.store.templates.save
    for campaign, product, use_case, note, slots in (
        ("Spring launch", "Speaker", "product demo", "", base),
        (
            "Spring launch",
            "Speaker",
            "product demo",
            "warmer light for the web shop",
            base.with_slot("lighting", "warm golden hour sunlight"),
        ),
        ("Spring launch", "Speaker", "social ad", "", base.with_slot("camera", "handheld")),
        ("Autumn", "Mug", "background loop", "", PromptSlots(subject="a steaming mug")),
    ):
        saved = save(campaign, product, use_case, slots.as_dict(), change_note=note, at=time.time())
    services.store.templates.mark_known_good(saved.id - 2)
    window.templates.all_versions.setChecked(True)
    window.find_template()
    window.templates.view.selectRow(1)
    await asyncio.sleep(0.3)
    app.primaryScreen().grabWindow(0).save(str(out / "studio-templates.png"))
    window.detach()
    await services.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    theme = sys.argv[2] if len(sys.argv) > 2 else "dark"
    out.mkdir(parents=True, exist_ok=True)
    run_window(lambda app, window, _collector: scenario(app, window, out), theme)


if __name__ == "__main__":
    main()
