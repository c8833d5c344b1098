"""Issue 12's screenshots: the Library tab with a search and its facet counts, the Metrics
tab with its chart, the export dialog after an export, and the provenance line of a
C2PA-signed clip beside the player. Run under Xvfb at the screen size wanted:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python \\
        bench/screenshots_library.py docs/screenshots 1280x800
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-shots-")

from _gui import attach_sim, detach, shot, shots_main, until  # noqa: E402  (a sibling module: run as a script)
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config.settings import Settings  # noqa: E402
from studio.prompts import PromptSlots  # noqa: E402
from studio.sim.render import ClipRequest, render_clip  # noqa: E402
from studio.ui.shell.main_window import MainWindow  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "c2pa"


def signed_clip(folder: Path) -> Path:
    """A clip signed with c2pa-python's public ES256 test certificate."""
    import c2pa

    render_clip(ClipRequest(prompt="a signed kite", width=640, height=360, seconds=2), folder)
    info = c2pa.C2paSignerInfo(
        alg=b"es256",
        sign_cert=(FIXTURES / "es256_certs.pem").read_bytes(),
        private_key=(FIXTURES / "es256_private.key").read_bytes(),
        ta_url=None,
    )
    created = {
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
    }
    manifest = {
        "claim_generator": "studio-screenshots/1.0",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [created]}}],
    }
    drop = folder / "drop"
    drop.mkdir()
    dest = drop / "signed kite.mp4"
    with (
        c2pa.Builder(json.dumps(manifest)) as builder,
        (folder / "video.mp4").open("rb") as src,
        dest.open("wb") as out,
    ):
        builder.sign(c2pa.Signer.from_info(info), "video/mp4", src, out)
    return drop


async def scenario(app: QApplication, window: MainWindow, out: Path, size: str) -> None:
    services = await attach_sim(window, size, Settings(reviewer="ana"), 0.8)
    editor, store = window.editor, services.store
    for project, subject, cameras in (
        ("launch", "a matte black wireless speaker", ("slow push in", "overhead top-down")),
        ("launch", "a brushed steel water bottle", ("low tracking shot", "static wide")),
        ("holiday", "a paper lantern drifting at dusk", ("slow push in", "static wide")),
    ):
        editor.project.setEditText(project)
        editor.set_slots(PromptSlots(subject=subject, action="turns slowly"))
        editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("camera"))
        editor.variant_values.setPlainText("\n".join(cameras))
        editor.request_submit()
        await asyncio.sleep(0.5)
    await until(lambda: len(store.jobs.ids()) == 6)
    await until(lambda: all(j.status.value == "ready" for j in store.jobs.many(store.jobs.ids())))
    ids = sorted(store.jobs.ids())
    now = time.time()
    for job_id, decision, scores in zip(
        ids,
        ("approve", "discard", "approve", "edit", "approve", "approve"),
        ({"m": 2, "f": 2, "b": 2}, {"m": 0, "f": 1, "b": 1}, {"m": 2, "f": 1, "b": 2},
         {"m": 1, "f": 1, "b": 1}, {"m": 2, "f": 2, "b": 1}, {"m": 2, "f": 2, "b": 2}),
        strict=True,
    ):  # fmt: skip
        store.verdicts.decide(job_id, decision, reviewer="ana", at=now, scores=scores)
    store.verdicts.set_tags(ids[1], ["jitter", "off-frame"], at=now)
    store.verdicts.set_tags(ids[3], ["jitter"], at=now)
    store.verdicts.star(ids[0], True, at=now)

    window.library.show_tab(metrics=False)  # the Library workspace
    panel = window.library.panel
    panel.query.setText("project:launch")
    panel.run_search()
    await asyncio.sleep(0.8)
    shot(app, out, "library", size)
    panel.query.setText("")
    panel.mode.setCurrentIndex(2)  # the grid: one tile per shot, its variants stacked
    await asyncio.sleep(0.8)
    shot(app, out, "library-grid", size)
    panel.mode.setCurrentIndex(0)

    services.set_daily_cap(1.50)  # the daily spend chart draws the cap line
    window.status.show_spend()
    window.editor.refresh()
    store.budgets.set_cap("project", "launch", 5.0)
    window.library.show_tab(metrics=True)
    await until(lambda: window.library.metrics is not None)
    await asyncio.sleep(1.0)
    shot(app, out, "metrics", size)

    export_to = Path(tempfile.mkdtemp(prefix="studio-export-"))
    window.library.export()
    dialog = window.library.dialog
    dialog.folder.setText(str(export_to))  # type: ignore[union-attr]
    running = dialog.begin()  # type: ignore[union-attr]
    await running
    await asyncio.sleep(0.4)
    shot(app, out, "export-dialog", size)
    dialog.reject()  # type: ignore[union-attr]

    drop = signed_clip(Path(tempfile.mkdtemp(prefix="studio-signed-")))
    window.library.import_folder(str(drop))
    await until(lambda: len(store.jobs.ids()) == 7)
    window.open_job(max(store.jobs.ids()))
    await until(lambda: window.review.player.deck.ready)
    await asyncio.sleep(0.8)
    shot(app, out, "provenance", size)
    await detach(window, services)


if __name__ == "__main__":
    shots_main(scenario)
