"""Notes leave for an editor: an OpenTimelineIO file (read back with `opentimelineio`: a
marker on each clip, in source time, at the note's frame at the clip's rate — clips of 24
and 30 fps) and a DaVinci Resolve marker EDL (its exact lines)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio
import pytest

from studio.core.notes import Shape
from studio.export.notes_out import NoteExportError, gather
from studio.export.otio_file import write_otio
from studio.export.resolve_edl import edl_text, safe, write_edl
from studio.library.ops import ops_for
from studio.store import Store
from tests.notes.clips import coded_clip, take_with_clip

PICTURE = (320, 180)
BOX = Shape("rect", ((100.0, 60.0), (220.0, 130.0)), "red", 6.0)


@dataclass(frozen=True)
class Library:
    store: Store
    folder: Path
    kite: int  # 24 fps, 48 frames
    dunes: int  # 30 fps, 45 frames
    heron: int  # 24 fps, 24 frames


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    store = Store(tmp_path / "studio.db")
    folder = tmp_path / "library"
    made = {}
    for name, fps, frames in (("kite", 24, 48), ("dunes", 30, 45), ("heron", 24, 24)):
        clip = coded_clip(tmp_path / f"{name}.mp4", fps=fps, frames=frames)
        made[name] = take_with_clip(store, folder, clip, fps=fps, frames=frames, prompt=name)
    ops = ops_for(store)
    ops.add_note(made["kite"], 12, fps=24.0, picture=PICTURE, text="the tail warps",
                 shapes=(BOX,), author="ana", at=1_700_000_000.0)  # fmt: skip
    ops.add_note(made["kite"], 30, end_frame=41, fps=24.0, picture=PICTURE, author="bo",
                 text="horizon bends\nleft | right", at=1_700_000_060.0)  # fmt: skip
    ops.add_note(made["dunes"], 29, fps=30.0, picture=PICTURE, text="sand pops", author="ana",
                 at=1_700_000_120.0)  # fmt: skip
    ops.add_note(made["dunes"], 0, fps=30.0, picture=PICTURE, author="ana", at=1_700_000_180.0,
                 shapes=(Shape("ellipse", ((1.0, 1.0), (40.0, 30.0)), "cyan", 2.0),))  # fmt: skip
    ops.add_note(made["heron"], 5, fps=24.0, picture=PICTURE, text="", author="",
                 shapes=(Shape("pen", ((1.0, 1.0), (9.0, 9.0)), "white", 2.0),))  # fmt: skip
    yield Library(store, folder, made["kite"], made["dunes"], made["heron"])
    store.close()


def test_the_otio_file_has_each_note_as_a_marker_at_its_frame(lib: Library, tmp_path: Path) -> None:
    takes = gather(lib.store, lib.folder, [lib.kite, lib.dunes])
    out = tmp_path / "notes.otio"
    assert write_otio(takes, out) == 4

    timeline = otio.adapters.read_from_file(str(out))
    (track,) = timeline.tracks
    kite, dunes = list(track)
    assert (kite.name, dunes.name) == (f"#{lib.kite}", f"#{lib.dunes}")
    assert kite.source_range.duration == otio.opentime.RationalTime(48, 24)
    assert dunes.source_range.duration == otio.opentime.RationalTime(45, 30)
    assert kite.media_reference.target_url == (
        lib.store.assets.file(lib.folder, lib.kite, "video").resolve().as_uri()  # type: ignore[union-attr]
    )
    assert kite.metadata["studio"]["take"] == lib.kite

    def frames(clip: otio.schema.Clip) -> list[tuple[int, int, float, str, str, str]]:
        return [
            (
                round(m.marked_range.start_time.value),
                round(m.marked_range.duration.value),
                m.marked_range.start_time.rate,
                m.name,
                m.comment,
                m.color,
            )
            for m in clip.markers
        ]

    assert frames(kite) == [
        (12, 1, 24.0, "the tail warps", "the tail warps", "RED"),
        (30, 12, 24.0, "horizon bends", "horizon bends\nleft | right", "BLUE"),
    ]
    assert frames(dunes) == [
        (0, 1, 30.0, "(drawing: ellipse)", "", "CYAN"),
        (29, 1, 30.0, "sand pops", "sand pops", "BLUE"),
    ]
    sand = dunes.markers[1]
    assert sand.marked_range.start_time.to_seconds() == pytest.approx(29 / 30)
    # in the timeline, the second clip's marker lands after the whole first clip
    assert dunes.range_in_parent().start_time.to_seconds() == pytest.approx(2.0)
    meta = kite.markers[0].metadata["studio"]
    assert (meta["author"], meta["created"], meta["timecode"]) == (
        "ana", "2023-11-14T22:13:20.000+00:00", "00:00:00:12"
    )  # fmt: skip
    assert plain(meta["drawing"]) == [
        {"shape": "rect", "points": [[100.0, 60.0], [220.0, 130.0]], "colour": "red",
         "width": 6.0}
    ]  # fmt: skip


def plain(value: object) -> object:
    """OTIO's metadata containers as Python's dicts and lists."""
    if isinstance(value, str):
        return value
    if hasattr(value, "items"):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "__iter__"):
        return [plain(v) for v in value]  # type: ignore[attr-defined]
    return value


def test_a_take_whose_clip_was_deleted_keeps_its_markers(lib: Library, tmp_path: Path) -> None:
    ops_for(lib.store).delete_local_clips(lib.folder, [lib.dunes])
    (take,) = gather(lib.store, lib.folder, [lib.dunes])
    assert (take.clip, take.rate, take.frames) == (None, 30.0, 45)  # the notes' rate, the
    write_otio([take], tmp_path / "gone.otio")  # recorded duration
    (clip,) = otio.adapters.read_from_file(str(tmp_path / "gone.otio")).tracks[0]
    assert isinstance(clip.media_reference, otio.schema.MissingReference)
    assert [round(m.marked_range.start_time.value) for m in clip.markers] == [0, 29]


def test_the_resolve_edl_lines(lib: Library, tmp_path: Path) -> None:
    takes = gather(lib.store, lib.folder, [lib.kite, lib.heron])
    out = tmp_path / "notes.edl"
    assert write_edl(takes, out, title="Spring | kites\nreview") == 3
    data = out.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")  # CRLF throughout
    assert data.decode("utf-8").split("\r\n") == [
        "TITLE: Spring / kites review",
        "FCM: NON-DROP FRAME",
        "",
        "001  001      V     C        01:00:00:12 01:00:00:13 01:00:00:12 01:00:00:13  ",
        "ana |C:ResolveColorRed |M:the tail warps |D:1",
        "",
        "002  001      V     C        01:00:01:06 01:00:01:07 01:00:01:06 01:00:01:07  ",
        "bo |C:ResolveColorBlue |M:horizon bends left / right |D:12",
        "",
        # the heron follows the kite's 48 frames: 01:00:02:00 + 5
        "003  001      V     C        01:00:02:05 01:00:02:06 01:00:02:05 01:00:02:06  ",
        " |C:ResolveColorCream |M:(drawing: pen) |D:1",
        "",
        "",
    ]


def test_the_edl_at_30_fps_counts_30_frames_a_second(lib: Library) -> None:
    text = edl_text(gather(lib.store, lib.folder, [lib.dunes]))
    assert "001  001      V     C        01:00:00:00 01:00:00:01 01:00:00:00 01:00:00:01  " in text
    assert "002  001      V     C        01:00:00:29 01:00:01:00 01:00:00:29 01:00:01:00  " in text


def test_an_edl_of_takes_at_two_rates_is_refused(lib: Library) -> None:
    takes = gather(lib.store, lib.folder, [lib.kite, lib.dunes])
    with pytest.raises(NoteExportError, match=r"An EDL has one frame rate.*at 24 fps.*at 30 fps"):
        edl_text(takes)


def test_text_is_made_safe_for_a_marker_line() -> None:
    assert safe("a|b\nc\td\x07e  \r\n f") == "a/b c de f"


def test_unknown_and_repeated_takes_are_refused(lib: Library) -> None:
    with pytest.raises(NoteExportError, match="There is no take #999"):
        gather(lib.store, lib.folder, [lib.kite, 999])
    with pytest.raises(NoteExportError, match="named twice"):
        gather(lib.store, lib.folder, [lib.kite, lib.kite])
