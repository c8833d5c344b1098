"""The pre-screen's checks on clips made here to have each defect at a known time: the flag
must be there, with its time codes within a frame, its measurement against its threshold,
and no other flag; a clean clip gets none; a corrupt file is flagged undecodable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from studio.core.flags import Flag, Screening
from studio.core.spec import StoredSpec
from studio.media.prescreen.expected import Expected, expected_for
from studio.media.prescreen.screen import screen
from studio.media.prescreen.thresholds import Thresholds, load_thresholds
from studio.providers.profiles import load_profiles
from studio.sim.render import ClipRequest, render_clip
from tests.media import clips

FRAME = 1 / clips.FPS
ASKED = Expected(seconds=4, width=clips.WIDTH, height=clips.HEIGHT, fps=clips.FPS, audio=False)
WITH_SOUND = dataclasses.replace(ASKED, audio=True)


@pytest.fixture(scope="module")
def thresholds() -> Thresholds:
    return load_thresholds()


def only(found: Screening, check: str) -> Flag:
    """The one flag of the screening, which must be of `check`."""
    assert [f.check for f in found.flags] == [check], [f.detail for f in found.flags]
    return found.flags[0]


def assert_span(flag: Flag, start: float, end: float) -> None:
    assert flag.start == pytest.approx(start, abs=FRAME), flag
    assert flag.end == pytest.approx(end, abs=FRAME), flag
    assert flag.first_frame == pytest.approx(start * clips.FPS, abs=1)
    assert flag.last_frame == pytest.approx(end * clips.FPS - 1, abs=1)


def test_a_clean_clip_with_its_sound_has_no_flags(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "clean.mp4", audio="tone")
    found = screen(clip, WITH_SOUND, thresholds)
    assert found.flags == ()
    assert found.measured == {
        "seconds": 4.0,
        "frames": 96,
        "width": 320,
        "height": 180,
        "fps": 24.0,
        "audio": True,
    }
    assert found.thresholds == thresholds.version


def test_a_black_second_is_flagged_from_2_to_3_s(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "black.mp4", defect=clips.black(2.0, 3.0))
    flag = only(screen(clip, ASKED, thresholds), "black")
    assert_span(flag, 2.0, 3.0)
    assert isinstance(flag.measured, float)
    assert flag.measured <= thresholds.black.max_luma == flag.threshold


def test_a_frozen_second_is_flagged_from_2_to_3_s(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "frozen.mp4", defect=clips.frozen(2.0, 3.0))
    flag = only(screen(clip, ASKED, thresholds), "frozen")
    assert_span(flag, 2.0, 3.0)
    assert isinstance(flag.measured, float)
    assert flag.measured <= thresholds.frozen.max_change == flag.threshold


def test_flicker_is_flagged_where_the_picture_pulses(
    tmp_path: Path, thresholds: Thresholds
) -> None:
    clip = clips.write_clip(tmp_path / "flicker.mp4", defect=clips.flicker(2.0, 3.0))
    flag = only(screen(clip, ASKED, thresholds), "flicker")
    assert_span(flag, 2.0, 3.0)
    assert isinstance(flag.measured, float)
    assert flag.measured >= thresholds.flicker.min_jump == flag.threshold


def test_a_blurred_stretch_is_flagged(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "blur.mp4", defect=clips.blurred(1.0, 3.0))
    flag = only(screen(clip, ASKED, thresholds), "blur")
    assert_span(flag, 1.0, 3.0)
    assert isinstance(flag.measured, float)
    assert flag.measured <= thresholds.blur.min_sharpness == flag.threshold


def test_a_clip_shorter_than_asked_is_flagged(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "short.mp4", seconds=3.0)
    flag = only(screen(clip, ASKED, thresholds), "duration")
    assert_span(flag, 0.0, 3.0)
    assert (flag.measured, flag.threshold) == (3.0, 4.0)
    assert flag.detail == "3.00 s long, 4 s asked (± 0.5 s)"


def test_a_clip_of_another_size_is_flagged(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "size.mp4", width=320, height=240)
    flag = only(screen(clip, ASKED, thresholds), "size")
    assert_span(flag, 0.0, 4.0)
    assert (flag.measured, flag.threshold) == ("320x240", "320x180")


def test_a_clip_at_another_frame_rate_is_flagged(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "rate.mp4", fps=30)
    flag = only(screen(clip, ASKED, thresholds), "frame_rate")
    assert (flag.measured, flag.threshold) == (30.0, 24.0)


def test_silent_sound_where_sound_was_asked_is_flagged(
    tmp_path: Path, thresholds: Thresholds
) -> None:
    silent = clips.write_clip(tmp_path / "silent.mp4", audio="silent")
    flag = only(screen(silent, WITH_SOUND, thresholds), "silence")
    assert_span(flag, 0.0, 4.0)
    assert isinstance(flag.measured, float)
    assert flag.measured <= thresholds.silence.max_dbfs == flag.threshold
    # a clip without any sound track, where sound was promised
    mute = clips.write_clip(tmp_path / "mute.mp4")
    assert only(screen(mute, WITH_SOUND, thresholds), "silence").detail.startswith("no sound")
    # sound not promised: neither is flagged
    assert screen(silent, ASKED, thresholds).flags == ()
    assert screen(mute, ASKED, thresholds).flags == ()


def test_a_corrupt_file_is_flagged_undecodable(tmp_path: Path, thresholds: Thresholds) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    flag = only(screen(garbage, ASKED, thresholds), "undecodable")
    assert flag.detail.startswith("not a video that can be opened")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert only(screen(empty, ASKED, thresholds), "undecodable")


def test_a_clip_whose_frames_are_damaged_is_flagged_from_where_decoding_fails(
    tmp_path: Path, thresholds: Thresholds
) -> None:
    clip = clips.write_clip(tmp_path / "clip.mp4")
    data = bytearray(clip.read_bytes())
    mdat = data.index(b"mdat") + 4  # the frames, after the index (written faststart)
    start = mdat + (len(data) - mdat) // 2  # from about the middle on
    data[start:] = bytes(len(data) - start)  # overwritten with zeros, the length kept
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    found = screen(damaged, Expected(), thresholds)
    broken = [f for f in found.flags if f.check == "undecodable"]
    assert broken, [f.detail for f in found.flags]
    assert 0.0 < broken[0].start < 4.0
    assert broken[0].first_frame == round(broken[0].start * clips.FPS)
    assert broken[0].last_frame == 95
    assert broken[0].end == pytest.approx(4.0, abs=FRAME)


def test_a_file_that_cannot_be_read_raises_instead_of_flagging(
    tmp_path: Path, thresholds: Thresholds
) -> None:
    with pytest.raises(FileNotFoundError):
        screen(tmp_path / "missing.mp4", ASKED, thresholds)
    with pytest.raises(OSError, match="not a regular file"):
        screen(tmp_path, ASKED, thresholds)


def test_each_check_can_be_turned_off(tmp_path: Path, thresholds: Thresholds) -> None:
    clip = clips.write_clip(tmp_path / "black.mp4", seconds=3.0, defect=clips.black(1.0, 2.0))
    assert {f.check for f in screen(clip, ASKED, thresholds).flags} == {"black", "duration"}
    off = dataclasses.replace(
        thresholds,
        black=dataclasses.replace(thresholds.black, enabled=False),
        duration=dataclasses.replace(thresholds.duration, enabled=False),
        frozen=dataclasses.replace(thresholds.frozen, enabled=False),  # black is also still
        blur=dataclasses.replace(thresholds.blur, enabled=False),  # and has no edges
    )
    assert screen(clip, ASKED, off).flags == ()


def test_the_simulators_own_clips_have_no_flags(tmp_path: Path, thresholds: Thresholds) -> None:
    """What the app renders by default passes: its moving scene, its beep every second
    (silence between beeps is shorter than the threshold), its size and frame rate."""
    profiles = load_profiles()
    for model, size, audio in (("sim-fast", "640x360", False), ("sim-pro", "1280x720", True)):
        width, height = (int(v) for v in size.split("x"))
        request = ClipRequest("a heron lands on a jetty", width, height, 4, model, audio, take="7")
        rendered = render_clip(request, tmp_path / model)
        spec = StoredSpec(model=model, prompt="a heron", seconds=4, size=size)
        expected = expected_for(spec, profiles.get(model))
        assert (expected.audio, expected.fps) == (audio, 24.0)
        found = screen(rendered.video, expected, thresholds)
        assert found.flags == (), [f.detail for f in found.flags]
        assert found.measured["audio"] is audio
