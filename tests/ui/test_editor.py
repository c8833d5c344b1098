"""The prompt editor driven like a person would: presets, typing, lint, pickers, drops."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
import qasync
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from studio.prompts import Linter, load_presets
from studio.providers.profiles import load_profiles
from studio.ui.write.editor import PromptEditor, Submission
from tests.helpers import png_bytes
from tests.ui.test_day_one import until


@pytest.fixture
def editor(qtbot: QtBot, qloop: qasync.QEventLoop) -> PromptEditor:
    widget = PromptEditor(load_presets(), Linter())
    qtbot.addWidget(widget)
    widget.set_profiles(load_profiles())
    widget.show()
    return widget


def lint_texts(editor: PromptEditor) -> list[str]:
    return [editor.lint_list.item(i).text() for i in range(editor.lint_list.count())]


def choose(combo: object, data: object) -> None:
    index = combo.findData(data)  # type: ignore[attr-defined]
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]
    combo.activated.emit(index)  # type: ignore[attr-defined]


def offered(combo: object) -> list[object]:
    return [combo.itemData(i) for i in range(combo.count())]  # type: ignore[attr-defined]


def test_nothing_written_nothing_to_queue(qtbot: QtBot, editor: PromptEditor) -> None:
    """An empty editor's button read "Queue anyway (2 warnings)" before a word was typed."""
    sent: list[object] = []
    editor.submit_requested.connect(sent.append)
    assert (editor.submit.text(), editor.submit.isEnabled()) == ("Queue", False)
    assert editor.submit.toolTip() == "Write the prompt first: at least its subject."
    editor.request_submit()  # as Ctrl+Return would, while the button is off
    assert sent == []
    assert editor.status.text() == "Write the prompt first: at least its subject."
    qtbot.keyClicks(editor.fields["subject"], "a red kite")
    qtbot.waitUntil(editor.submit.isEnabled, timeout=3000)
    assert editor.submit.text().startswith("Queue")


def test_compose_from_a_starter_and_presets(qtbot: QtBot, editor: PromptEditor) -> None:
    choose(editor.starter, "product-demo")
    assert editor.fields["subject"].text() == "a matte black wireless speaker"
    choose(editor.preset_boxes["camera"], "drone")
    choose(editor.preset_boxes["lighting"], "neon-night")
    assert editor.fields["camera"].text() == "aerial drone shot rising slowly over the scene"
    qtbot.waitUntil(lambda: "Neon signs" in editor.composed.toPlainText(), timeout=2000)
    composed = editor.composed.toPlainText()
    assert composed.startswith("a matte black wireless speaker rotates slowly on a turntable.")
    assert "Aerial drone shot rising slowly over the scene." in composed
    assert "Neon signs at night" in composed
    assert editor.preset_boxes["camera"].currentIndex() == 0  # ready for the next pick


@pytest.mark.parametrize(
    ("slot", "typed", "expected"),
    [
        ("subject", "", "Subject is empty."),
        ("style", "something cool", "“cool” is vague"),
        ("action", "runs, then cut to a beach", "suggests more than one scene"),
        ("setting", "a shop with a sign that reads OPEN", "on-screen text"),
        ("subject", "Tom Cruise", "likely blocked by moderation"),
        ("style", "slow motion with fast cuts", "pull in opposite directions"),
        ("setting", "in a kitchen and in a garden", "Two settings"),
        ("action", "jumps, spins, lands and waves", "4 actions in 4 s is rushed"),
        ("constraints", "word " * 230, "keep it under 1,000"),
    ],
)
def test_lint_appears_as_you_type(
    qtbot: QtBot, editor: PromptEditor, slot: str, typed: str, expected: str
) -> None:
    choose(editor.starter, "product-demo")
    choose(editor.seconds_box, 4)
    editor.fields[slot].clear()
    qtbot.keyClicks(editor.fields[slot], typed)
    qtbot.waitUntil(lambda: any(expected in t for t in lint_texts(editor)), timeout=3000)
    assert "anyway" in editor.submit.text()  # warnings never block: one click sends


def test_pickers_never_offer_what_the_model_refuses(editor: PromptEditor) -> None:
    choose(editor.model_box, "sora-2-pro")
    choose(editor.size_box, "1792x1024")
    choose(editor.seconds_box, 12)
    assert editor.cost.text().startswith("$6.00")
    choose(editor.model_box, "sora-2")
    assert offered(editor.size_box) == ["1280x720", "720x1280"]
    assert editor.size_box.currentData() == "1280x720"  # replaced, never left invalid
    assert editor.seconds_box.currentData() == 12  # still allowed: kept
    assert offered(editor.seconds_box) == [4, 8, 12]
    assert editor.cost.text().startswith("$1.20")


def test_variant_cost_and_submission(qtbot: QtBot, editor: PromptEditor) -> None:
    choose(editor.starter, "social-ad")
    choose(editor.model_box, "sim-fast")
    choose(editor.size_box, "640x360")
    choose(editor.variant_slot, "lighting")
    editor.variant_values.setPlainText("golden hour\nblue hour\nneon night")
    editor.refresh()
    assert editor.cost.text().startswith("$0.20 × 3 = $0.60")
    with qtbot.waitSignal(editor.submit_requested) as blocker:
        editor.request_submit()
    submission: Submission = blocker.args[0]
    assert [s.prompt.count("hour") for s in submission.specs] == [1, 1, 0]
    assert submission.varied_slot == "lighting"
    assert len({s.prompt for s in submission.specs}) == 3


def drop(editor: PromptEditor, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    editor.dropEvent(event)


def finish_loading(qloop: qasync.QEventLoop, editor: PromptEditor) -> None:
    assert editor.reference.loading is not None
    qloop.run_until_complete(asyncio.wait_for(editor.reference.loading, 10))
    if editor.reference._fit_task is not None:
        qloop.run_until_complete(asyncio.wait_for(editor.reference._fit_task, 10))


def test_drop_a_real_image_then_bad_ones(
    tmp_path: Path, qloop: qasync.QEventLoop, editor: PromptEditor
) -> None:
    choose(editor.model_box, "sim-fast")
    choose(editor.size_box, "1280x720")
    good = tmp_path / "product.png"
    good.write_bytes(png_bytes(900, 900))
    drop(editor, good)
    finish_loading(qloop, editor)
    fitted = editor.reference.fitted
    assert fitted is not None
    with Image.open(io.BytesIO(fitted)) as img:
        assert img.size == (1280, 720)
    assert "cropped to 1280×720" in editor.reference.info.text()
    choose(editor.size_box, "720x1280")  # changing the size re-fits
    qloop.run_until_complete(asyncio.wait_for(editor.reference._fit_task, 10))  # type: ignore[arg-type]
    with Image.open(io.BytesIO(editor.reference.fitted or b"")) as img:
        assert img.size == (720, 1280)
    bombs = tmp_path / "huge.png"
    Image.new("1", (20_000, 20_000)).save(bombs)
    cases = {
        "fake.png": (b"this is a text file", "not an image"),
        "empty.png": (b"", "empty (0 bytes)"),
        "huge.png": (None, "megapixels"),  # Pillow refuses 400 MP as it opens
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        before = editor.reference.fitted
        drop(editor, path)
        finish_loading(qloop, editor)
        assert message in editor.status.text()
        assert editor.reference.fitted == before  # the good image is kept


def test_the_latest_fit_wins_and_a_failed_fit_is_said(
    tmp_path: Path, qloop: qasync.QEventLoop, editor: PromptEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studio.media import images

    choose(editor.model_box, "sim-fast")
    choose(editor.size_box, "1280x720")
    good = tmp_path / "product.png"
    good.write_bytes(png_bytes(900, 900))
    drop(editor, good)
    finish_loading(qloop, editor)
    box = editor.reference
    box.preview.focus = (0.5, 0.0)  # dragged up, then down before the first fit is in
    first = box.refit()
    box.preview.focus = (0.5, 1.0)
    last = box.refit()
    assert first is not None
    assert last is not None
    qloop.run_until_complete(asyncio.wait_for(last, 10))
    assert first.cancelled()  # its crop is out of date: it never lands
    source = box.source
    assert source is not None
    assert box.fitted == images.fit_image(source.data, (1280, 720), "crop", focus=(0.5, 1.0))

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise OSError("No space left on device")

    monkeypatch.setattr(images, "fit_image", broken)
    said: list[tuple[str, bool]] = []
    box.message.connect(lambda text, error: said.append((text, error)))
    failing = box.refit()
    assert failing is not None
    with pytest.raises(OSError, match="No space left"):
        qloop.run_until_complete(asyncio.wait_for(failing, 10))
    expected = "Could not fit the image: OSError: No space left on device"
    qloop.run_until_complete(until(lambda: said, 10))
    assert said == [(expected, True)]
    assert box.info.text() == expected


def test_a_megabyte_paste_is_kept_and_refused_clearly(editor: PromptEditor) -> None:
    choose(editor.starter, "product-demo")
    big = "very long description " * 48_000
    editor.fields["setting"].setPlainText(big)
    editor.refresh()
    assert editor.fields["setting"].text() == big  # nothing cut off behind the user's back
    assert any("keep it under 1,000" in t for t in lint_texts(editor))
    editor.request_submit()
    assert "the limit is 10,000" in editor.status.text()
    assert editor.fields["setting"].text() == big
