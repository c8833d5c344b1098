"""Screenshots of the pre-screen's flags and the linter's hints from defect tags: the
Library's grid with flag badges, the review with the flags' marks on the scrub bar (and the
status line after Alt+Right), and the editor with a hint from tags. Run under Xvfb at the
screen size wanted:

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python \
        bench/screenshots_flags_hints.py docs/screenshots 1920x1080
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-shots-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' clip makers

from _gui import attach_sim, detach, shot, shots_main, until  # noqa: E402  (a sibling module: run as a script)
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config.settings import Settings  # noqa: E402
from studio.library.ops import DecisionEntry, ops_for  # noqa: E402
from studio.ui.shell.main_window import MainWindow  # noqa: E402
from tests.media import clips  # noqa: E402
from tests.store.tagged import add_take  # noqa: E402

WHIP = {
    "subject": "a sprinter in a red kit",
    "action": "bursts off the blocks and down the lane",
    "setting": "an empty stadium at dusk",
    "camera": "fast whip pans between the runner and the finish line",
    "lighting": "floodlights",
    "style": "sports commercial",
    "constraints": "no text overlays, no logos",
}
DOLLY = {**WHIP, "camera": "slow dolly in, eye level"}


def both(*defects: clips.Defect) -> clips.Defect:
    def apply(index: int, picture: clips.Picture) -> clips.Picture:
        for defect in defects:
            picture = defect(index, picture)
        return picture

    return apply


def make_clips(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    size = {"width": 640, "height": 360, "seconds": 6.0}
    clips.write_clip(folder / "a-clean.mp4", **size)
    clips.write_clip(folder / "b-black.mp4", **size, defect=clips.black(1.0, 2.0))
    clips.write_clip(
        folder / "c-black-frozen.mp4", **size,
        defect=both(clips.black(0.5, 1.5), clips.frozen(3.0, 4.5)),
    )  # fmt: skip
    clips.write_clip(folder / "d-flicker.mp4", **size, defect=clips.flicker(2.0, 3.0))
    clips.write_clip(folder / "e-clean.mp4", width=640, height=360, seconds=5.0)  # not a copy


async def scenario(app: QApplication, window: MainWindow, out: Path, size: str) -> None:
    services = await attach_sim(window, size, Settings(daily_cap=20.0, reviewer="ana"), 0.5)
    store = services.store
    await asyncio.sleep(0.5)

    # the pre-screen: clips with defects imported, screened in the worker
    incoming = Path(tempfile.mkdtemp(prefix="studio-shots-clips-"))
    await asyncio.to_thread(make_clips, incoming)
    window.library.import_folder(str(incoming))
    await until(lambda: len(store.jobs.ids(None)) == 5)
    await until(lambda: all(store.flags.screening(i) for i in store.jobs.ids(None)))
    window.show_workspace("library")
    await asyncio.sleep(1.0)
    shot(app, out, "library-flags", size)

    flagged = max(store.jobs.ids(None), key=lambda i: len(store.flags.checks_for([i])[i]))
    window.review_takes(store.jobs.ids(None)[::-1], start=flagged)
    review = window.review
    await until(lambda: review.player.deck.ready)
    review.player.seek_frame(0)
    await asyncio.sleep(0.5)
    review.say(review.flag_marks.jump(1))  # as Alt+Right does
    review.say(review.flag_marks.jump(1))
    await asyncio.sleep(1.0)
    shot(app, out, "review-flags", size)

    # the linter's hint: a template's takes tagged, the template loaded again
    ops = ops_for(store)
    template = ops.save_template("spring", "sprint", "social", WHIP, note="launch cut")
    whips = [add_take(store, WHIP, template_id=template.id) for _ in range(8)]
    dollies = [add_take(store, DOLLY, template_id=template.id) for _ in range(8)]
    ops.set_tags({i: ["jitter"] for i in [*whips[:5], dollies[0]]})
    clean = [DecisionEntry(i, "approve") for i in [*whips[5:], *dollies[1:]]]
    ops.decide(clean, reviewer="ana", rubric_id=None)
    window.show_workspace("write")
    window.load_template(template)
    editor = window.editor
    await until(lambda: editor.hints)
    await asyncio.sleep(0.5)
    editor.slots_area.ensureWidgetVisible(editor.lint_list)
    await asyncio.sleep(0.3)
    shot(app, out, "editor-tag-hint", size)
    await detach(window, services)


if __name__ == "__main__":
    shots_main(scenario)
