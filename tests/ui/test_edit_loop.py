"""A faithful edit loop, in the window on the simulator: Edit and Duplicate bring a take
back as it was made and ask before replacing unsent work; the reference image comes back
as the original with its crop box, still movable; a take refused for policy opens to be
revised instead of being sent again; Remix sends a revised prompt as a remix of the take."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

import qasync
from PIL import Image
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from studio.core.spec import ReferenceImage, RenderRequest, RenderSpec
from studio.jobs.remix import RemixSource
from studio.prompts import Linter, PromptSlots, load_presets
from studio.providers.profiles import ProfileSet, profile_from_openrouter
from studio.services import Services
from studio.store import FailureClass, JobRow, JobStatus
from studio.ui.write.editor import PromptEditor
from tests.helpers import png_bytes
from tests.ui.test_day_one import Opened, close, until

Asked = list[str]


def answer(button: str, asked: Asked, tries: int = 250) -> None:
    """Answer the question the next modal dialog asks with `button` (Replace, Cancel),
    once it is open (looked for every 20 ms, for 5 s)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if box is None and tries > 0:
            answer(button, asked, tries - 1)
            return
        assert isinstance(box, QMessageBox), box
        asked.append(box.text())
        chosen = next(b for b in box.buttons() if b.text().replace("&", "") == button)
        chosen.click()

    QTimer.singleShot(20, click)


def in_loop(qloop: qasync.QEventLoop, gesture: Callable[[], object]) -> None:
    """A gesture made from a Qt event while the event loop runs, as a click or a key in the
    app is (a dialog it opens runs a loop of its own inside it)."""
    done: list[bool] = []

    def make() -> None:
        gesture()
        done.append(True)

    QTimer.singleShot(0, make)
    qloop.run_until_complete(until(lambda: done, 30))


def sent(qloop: qasync.QEventLoop, services: Services, parent: int, count: int = 1) -> None:
    """Wait until `count` children of `parent` are at the provider (the test goes on with
    no create on its way out)."""
    children = services.store.jobs.children
    qloop.run_until_complete(
        until(lambda: len([c for c in children(parent) if c.remote_id]) == count, 30)
    )


def choose(combo: object, data: object) -> None:
    index = combo.findData(data)  # type: ignore[attr-defined]
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def rendered(qloop: qasync.QEventLoop, services: Services, request: RenderRequest,
             project: str = "default") -> JobRow:  # fmt: skip
    async def run() -> JobRow:
        job = await services.engine.submit(request, project=project)
        (done,) = await asyncio.wait_for(services.engine.wait_finished([job.id]), 60)
        return done

    done = qloop.run_until_complete(run())
    assert done.status is JobStatus.READY, done.failure_message
    return done


def test_edit_restores_the_take_and_asks_before_replacing_unsent_work(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """Edit on an 8 s take of project "spring" queued a 4 s take in "default" (only the
    slots came back), and replaced what was typed without asking."""
    win, services = open_window()
    editor = win.editor
    spec = RenderSpec(model="sim-pro", prompt="a kite climbs over dunes.", seconds=8,
                      size="720x1280", generate_audio=True)  # fmt: skip
    take = rendered(
        qloop, services, RenderRequest(spec, {"subject": "a kite", "action": "climbs over dunes"}),
        project="spring",
    )  # fmt: skip
    choose(editor.model_box, "sim-fast")  # unsent work, on other settings
    choose(editor.seconds_box, 4)
    choose(editor.size_box, "640x360")
    editor.set_slots(PromptSlots(subject="an owl", action="blinks twice"))
    asked: Asked = []

    answer("Cancel", asked)
    in_loop(qloop, lambda: win.revise(take.id))
    assert asked == [
        f"The editor holds a prompt that was not queued. Open take {take.name} instead?"
    ]
    assert editor.slots() == PromptSlots(subject="an owl", action="blinks twice")  # kept
    assert (editor.model_box.currentData(), editor.seconds_box.currentData()) == ("sim-fast", 4)
    assert editor.parent_job is None
    assert not editor.other_draft.isVisible()

    answer("Replace", asked)
    in_loop(qloop, lambda: win.revise(take.id))
    assert len(asked) == 2
    assert editor.slots() == PromptSlots(subject="a kite", action="climbs over dunes")
    assert editor.model_box.currentData() == "sim-pro"
    assert (editor.seconds_box.currentData(), editor.size_box.currentData()) == (8, "720x1280")
    assert editor.project_name() == "spring"
    assert editor.options.audio.currentData() is True
    assert editor.parent_job == take.id
    said = editor.status.text()
    assert said.startswith(f"Revising take {take.name}. Restored Simulator (pro), 8 s, 720x1280")
    assert "audio on, project “spring”" in said
    assert editor.other_draft.isVisible()  # the owl, set aside
    assert not editor.has_unsent_work()  # just loaded: Edit again asks nothing
    in_loop(qloop, lambda: win.revise(take.id))
    assert len(asked) == 2

    editor.fields["action"].setPlainText("climbs over dunes at dusk")
    editor.request_submit()
    sent(qloop, services, take.id)
    (child,) = services.store.jobs.children(take.id)
    assert (child.project, child.model) == ("spring", "sim-pro")
    assert (child.spec.seconds, child.spec.size, child.spec.generate_audio) == (8, "720x1280", True)
    assert child.lineage_kind == "revision"

    editor.other_draft.click()  # the replaced prompt comes back, nothing was lost
    assert editor.slots() == PromptSlots(subject="an owl", action="blinks twice")
    assert (editor.model_box.currentData(), editor.seconds_box.currentData()) == ("sim-fast", 4)
    assert editor.project_name() == "default"
    assert editor.parent_job is None
    close(qloop, win)
    again, _ = open_window()  # the second draft is kept across a restart
    assert again.editor.other_draft.isVisible()
    again.editor.other_draft.click()  # the revision's, set aside by the swap
    assert again.editor.slots().action == "climbs over dunes at dusk"
    assert again.editor.project_name() == "spring"
    assert again.editor.parent_job is None  # it was queued: a render from it is a fresh take
    again.editor.other_draft.click()
    assert again.editor.slots().subject == "an owl"


def gradient(path: Path, size: tuple[int, int]) -> Path:
    """An image whose crops differ wherever they are taken."""
    width, height = size
    image = Image.new("RGB", size)
    image.putdata([(x * 255 // width, y * 255 // height, 90) for y in range(height)
                   for x in range(width)])  # fmt: skip
    image.save(path)
    return path


def drag(widget: QWidget, start: QPointF, end: QPointF) -> None:
    for kind, at in ((QMouseEvent.Type.MouseButtonPress, start),
                     (QMouseEvent.Type.MouseMove, end),
                     (QMouseEvent.Type.MouseButtonRelease, end)):  # fmt: skip
        buttons = (
            Qt.MouseButton.NoButton
            if kind is QMouseEvent.Type.MouseButtonRelease
            else (Qt.MouseButton.LeftButton)
        )
        QApplication.sendEvent(
            widget,
            QMouseEvent(
                kind, at, at, Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier
            ),
        )


def test_the_reference_comes_back_as_the_original_with_its_crop_box_still_movable(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened], tmp_path: Path
) -> None:
    win, services = open_window()
    editor, box = win.editor, win.editor.reference
    choose(editor.model_box, "sim-fast")
    choose(editor.size_box, "640x360")
    editor.set_slots(PromptSlots(subject="a fox", action="crosses the snow"))
    qloop.run_until_complete(box.load(gradient(tmp_path / "fox.png", (900, 900))))
    box.preview.focus = (0.5, 0.2)  # the crop box moved up, as a drag leaves it
    box.refit()
    qloop.run_until_complete(asyncio.wait_for(box._fit_task, 10))  # type: ignore[arg-type]
    editor.request_submit()
    qloop.run_until_complete(until(lambda: services.store.jobs.with_status(JobStatus.READY), 30))
    (job_id,) = services.store.jobs.ids()
    sent = services.store.jobs.get(job_id)
    assert sent is not None
    box.remove()  # the editor forgets it: what comes back comes from the library
    editor.set_slots(PromptSlots())

    in_loop(qloop, lambda: win.revise(job_id))
    qloop.run_until_complete(until(lambda: box.fitted is not None, 10))
    assert box.source is not None
    assert (box.source.width, box.source.height) == (900, 900)  # the original, not the crop
    assert box.preview.focus == (0.5, 0.2)  # the crop box where it was
    assert box.source_name == "fox.png"
    assert box.preview.box() is not None  # drawn over the original, ready to be dragged
    assert ReferenceImage(box.fitted).sha256 == sent.spec.reference_sha256  # the same crop
    assert "and the reference image" in editor.status.text()

    crop = box.preview.box()
    assert crop is not None
    fitted = box.fitted
    drag(box.preview, crop.center(), crop.center() + QPointF(0, 40))  # down
    assert box.preview.focus[1] > 0.2
    qloop.run_until_complete(until(lambda: box.fitted != fitted, 10))
    with Image.open(io.BytesIO(box.fitted or b"")) as image:
        assert image.size == (640, 360)
    assert editor.has_unsent_work()  # a new framing is work of its own


def test_a_take_queued_before_originals_were_kept_opens_with_the_image_it_was_sent_with(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    fitted = ReferenceImage(png_bytes(640, 360))
    spec = RenderSpec(model="sim-fast", prompt="a crane", seconds=4, size="640x360",
                      reference=fitted)  # fmt: skip
    job = qloop.run_until_complete(services.engine.submit(spec))
    assert job.spec.reference_fit is None  # as a take from before: no fit, no original
    in_loop(qloop, lambda: win.takes.duplicate(job))
    box = win.editor.reference
    qloop.run_until_complete(until(lambda: box.fitted is not None, 10))
    assert box.source is not None
    assert (box.source.width, box.source.height) == (640, 360)
    assert "queued before Studio kept original images" in win.editor.status.text()
    assert win.editor.parent_job is None  # a duplicate is a new take, not a revision


def test_retrying_a_take_refused_for_policy_opens_it_beside_the_refusal(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """Retry resent the same prompt, which the provider refused the same way."""
    win, services = open_window()
    editor, store = win.editor, services.store
    choose(editor.model_box, "sim-fast")
    choose(editor.size_box, "640x360")
    editor.set_slots(PromptSlots(subject="Beyonce", action="dances on a rooftop"))
    editor.request_submit()
    qloop.run_until_complete(until(lambda: store.jobs.failures(FailureClass.POLICY), 30))
    (refused,) = store.jobs.failures(FailureClass.POLICY)  # a real refusal by the simulator
    editor.set_slots(PromptSlots())
    win.queue.model.reload()  # type: ignore[union-attr]
    win.queue.view.selectRow(win.queue.model.row_of(refused.id) or 0)  # type: ignore[union-attr]
    assert win.queue.selected_ids() == [refused.id]

    qloop.run_until_complete(win.queue_actions.retry())
    assert store.jobs.ids() == [refused.id]  # nothing was sent again
    assert editor.slots() == PromptSlots(subject="Beyonce", action="dances on a rooftop")
    assert editor.refusal.isVisible()
    assert editor.refusal.text() == (
        f"{refused.name} was refused by the provider's content policy: "
        "Your request was blocked by our moderation system."
    )
    assert "nothing was sent again" in editor.status.text()
    assert editor.parent_job == refused.id

    editor.fields["subject"].setPlainText("a dancer")
    editor.request_submit()
    sent(qloop, services, refused.id)
    assert not editor.refusal.isVisible()  # sent: the refusal was about the old prompt


def test_remix_sends_the_revised_prompt_as_a_remix_and_the_lineage_tells_it_apart(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    editor = win.editor
    spec = RenderSpec(model="sim-fast", prompt="a heron lands.", seconds=4, size="640x360")
    take = rendered(qloop, services, RenderRequest(spec, {"subject": "a heron", "action": "lands"}))
    assert take.remote_id is not None
    in_loop(qloop, lambda: win.revise(take.id))
    assert editor.remix.isVisible()
    assert editor.remix.isEnabled(), editor.remix.toolTip()
    editor.fields["action"].setPlainText("lands at night")
    editor.remix.click()
    sent(qloop, services, take.id)
    (remix,) = services.store.jobs.children(take.id)
    assert remix.spec.remix_of == take.remote_id
    assert remix.prompt == "a heron lands at night."
    assert not editor.remix.isVisible()  # sent: the next render is a fresh one
    in_loop(qloop, lambda: win.revise(take.id))
    editor.fields["action"].setPlainText("lands at dawn")
    editor.request_submit()  # a re-render of the revised prompt
    sent(qloop, services, take.id, 2)
    rerender = services.store.jobs.children(take.id)[1]
    qloop.run_until_complete(
        asyncio.wait_for(services.engine.wait_finished([remix.id, rerender.id]), 60)
    )
    done = services.store.jobs.get(remix.id)
    assert done is not None
    assert done.status is JobStatus.READY, done.failure_message
    win.open_lineage(remix.id)
    assert win.lineage.made_as() == {
        take.id: "first take",
        remix.id: "remix",
        rerender.id: "re-render",
    }


def test_remix_is_offered_only_where_the_models_api_has_one(qtbot: QtBot) -> None:
    editor = PromptEditor(load_presets(), Linter())
    qtbot.addWidget(editor)
    editor.set_profiles(
        ProfileSet(
            [
                profile_from_openrouter(
                    {"id": "veo", "name": "Veo 3", "supported_durations": [8],
                     "supported_resolutions": ["720p"], "supported_aspect_ratios": ["16:9"]}
                )
            ]
        )
    )  # fmt: skip
    spec = RenderSpec(model="veo", prompt="a heron", seconds=8, resolution="720p",
                      aspect_ratio="16:9")  # fmt: skip
    editor.set_remix(RemixSource(3, "#3", "gen-3", RenderRequest(spec).stored()))
    editor.show()
    assert editor.remix.isVisible()
    assert not editor.remix.isEnabled()
    assert editor.remix.toolTip() == (
        "No remix: Veo 3 cannot remix: its provider's API (openrouter) has no remix endpoint. "
        "Queue a new render instead."
    )
