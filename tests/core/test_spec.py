"""The render spec's one home: the frame's parser and formatter agree, and every form of the
spec carries every field."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.core.spec import (
    WIRE_FIELDS,
    Frame,
    ReferenceFit,
    ReferenceImage,
    RenderRequest,
    RenderSpec,
    StoredSpec,
    project_name,
)

sizes = st.builds(lambda w, h: f"{w}x{h}", st.integers(16, 8192), st.integers(16, 8192))
resolutions = st.sampled_from(["480p", "720p", "1080p", "4k", "2160p"])
aspects = st.builds(lambda a, b: f"{a}:{b}", st.integers(1, 99), st.integers(1, 99))
frames = st.one_of(
    st.builds(lambda s: Frame(size=s), sizes),
    st.builds(lambda r, a: Frame(resolution=r, aspect_ratio=a), resolutions, aspects),
)


@given(frames)
def test_a_frame_reads_back_as_it_was_written(frame: Frame) -> None:
    assert Frame.parse(str(frame)) == frame


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("1280x720", Frame(size="1280x720")),
        ("720p 16:9", Frame(resolution="720p", aspect_ratio="16:9")),
        (" 1080p   9:16 ", Frame(resolution="1080p", aspect_ratio="9:16")),
        ("16:9 720p", Frame(resolution="720p", aspect_ratio="16:9")),  # either order
        ("720p", Frame(resolution="720p")),
    ],
)
def test_frames_as_people_write_them(text: str, frame: Frame) -> None:
    assert Frame.parse(text) == frame


@pytest.mark.parametrize("text", ["", "   ", "720p 16:9 extra", "16:9 4:3", "1280x720 16:9"])
def test_what_is_not_a_frame_says_how_one_is_written(text: str) -> None:
    with pytest.raises(ValueError, match="write a size like 1280x720"):
        Frame.parse(text)


def test_no_frame_reads_as_a_dash_and_is_false() -> None:
    assert str(Frame()) == "—"
    assert not Frame()
    assert Frame(size="640x360")


def _full_spec() -> RenderSpec:
    """A spec with every field set to something other than its default."""
    values = {
        "model": "sim-pro",
        "prompt": "a heron  lifts off",
        "seconds": 8,
        "size": "1280x720",
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "seed": 7,
        "generate_audio": True,
    }
    assert set(values) == set(WIRE_FIELDS)  # a new field must be added here, and below
    return RenderSpec(**values, reference=ReferenceImage(b"\x89PNG fitted", "image/png"))


def test_every_field_survives_request_to_row_to_request() -> None:
    spec = _full_spec()
    fit = ReferenceFit("heron.jpg", "pad", (0.2, 0.8), "#102030", (4000, 3000))
    request = RenderRequest(spec, {"subject": "a heron"}, "Camera: slow push", fit, 3)
    row = StoredSpec.from_json(request.stored().to_json())
    assert row == request.stored()
    assert row.reference_sha256 == spec.reference.sha256  # type: ignore[union-attr]
    assert (row.reference_fit, dict(row.slots or {}), row.variant) == (
        fit,
        {"subject": "a heron"},
        "Camera: slow push",
    )
    again = row.request(spec.reference)
    assert again.spec == spec  # every wire field, the image too
    assert again.spec.content_hash() == spec.content_hash()
    assert (again.reference_fit, again.variant) == (fit, "Camera: slow push")
    assert row.frame == spec.frame == Frame("1280x720", "720p", "16:9")


def test_the_stored_form_has_every_wire_field() -> None:
    stored = {f.name for f in dataclasses.fields(StoredSpec)}
    assert set(WIRE_FIELDS) <= stored


def test_a_row_from_an_older_version_still_reads() -> None:
    row = StoredSpec.from_json('{"seconds": "4", "size": 5}', model="sim-fast", prompt="a fox")
    assert (row.model, row.prompt, row.seconds, row.size) == ("sim-fast", "a fox", 4, None)
    assert StoredSpec.from_json("not json", model="m").model == "m"
    assert StoredSpec.from_json('{"seconds": "٤"}').seconds == 0  # only ASCII digits


@pytest.mark.parametrize(("text", "name"), [("  launch ", "launch"), ("春" * 100, "春" * 100)])
def test_project_names(text: str, name: str) -> None:
    assert project_name(text) == name


@pytest.mark.parametrize("text", ["", "   ", "x" * 101, None, 5])
def test_project_names_refused(text: object) -> None:
    with pytest.raises(ValueError, match="must be a name of 1 to 100 characters"):
        project_name(text)
