"""`studio notes` in a real process: export (OTIO, Resolve EDL), still and list, with the
exit codes of the README's table (2: bad input, 5: a file that cannot be written)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio
from PIL import Image

from studio.core.notes import PALETTE, Shape
from studio.library.ops import ops_for
from studio.sim import framecode
from studio.store import Store
from tests.notes.clips import coded_clip, take_with_clip
from tests.test_cli import one_clear_line, studio

PICTURE = (320, 180)


def a_library(tmp_path: Path) -> tuple[Path, Path, int, int]:
    """(database, clips folder, a 24 fps take, a 30 fps take), each with a note."""
    db, folder = tmp_path / "data" / "studio.db", tmp_path / "data" / "library"
    store = Store(db)
    try:
        kite = take_with_clip(store, folder, coded_clip(tmp_path / "k.mp4", fps=24, frames=48),
                              fps=24, frames=48)  # fmt: skip
        dunes = take_with_clip(store, folder, coded_clip(tmp_path / "d.mp4", fps=30, frames=30),
                               fps=30, frames=30)  # fmt: skip
        ops = ops_for(store)
        box = Shape("rect", ((100.0, 60.0), (220.0, 130.0)), "red", 6.0)
        ops.add_note(kite, 12, fps=24.0, picture=PICTURE, text="tail warps", author="ana",
                     shapes=(box,))  # fmt: skip
        ops.add_note(dunes, 20, fps=30.0, picture=PICTURE, text="sand pops", author="bo")
    finally:
        store.close()
    return db, folder, kite, dunes


def test_export_still_and_list(tmp_path: Path) -> None:
    db, folder, kite, dunes = a_library(tmp_path)
    where = ("--db", str(db), "--library", str(folder))

    out = tmp_path / "out" / "review.otio"
    out.parent.mkdir()
    made = studio("notes", "export", "--otio", str(out), f"#{kite}", str(dunes), *where)
    assert made.returncode == 0, made.stderr
    assert made.stdout == f"2 notes of 2 takes written to {out}\n"
    first, second = otio.adapters.read_from_file(str(out)).tracks[0]
    assert [(m.marked_range.start_time.value, m.marked_range.start_time.rate) for m in
            (*first.markers, *second.markers)] == [(12, 24), (20, 30)]  # fmt: skip

    edl = tmp_path / "out" / "review.edl"
    made = studio("notes", "export", "--edl", str(edl), str(kite), *where)
    assert made.returncode == 0, made.stderr
    assert "ana |C:ResolveColorRed |M:tail warps |D:1" in edl.read_text()

    still = tmp_path / "out" / "frame12.png"
    made = studio("notes", "still", str(kite), "--frame", "12", "--out", str(still),
                  "--with-notes", *where)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "frame 12 of take" in made.stdout
    assert "with 1 note on it" in made.stdout
    with Image.open(still) as image:
        pixels = np.array(image.convert("RGB"))
    assert framecode.read(pixels) == 12
    assert (pixels[62, 150] == PALETTE["red"]).all()

    listed = studio("notes", "list", str(kite), str(dunes), *where)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        f"What to fix in #{kite}:",
        "00:00:00:12  tail warps [drawing] (ana)",
        f"What to fix in #{dunes}:",
        "00:00:00:20  sand pops (bo)",
    ]


def test_bad_input_exits_2_and_an_unwritable_file_5(tmp_path: Path) -> None:
    db, folder, kite, dunes = a_library(tmp_path)
    where = ("--db", str(db), "--library", str(folder))
    edl = str(tmp_path / "x.edl")

    mixed = studio("notes", "export", "--edl", edl, str(kite), str(dunes), *where)
    assert mixed.returncode == 2
    assert "An EDL has one frame rate" in one_clear_line(mixed)
    unknown = studio("notes", "export", "--otio", str(tmp_path / "x.otio"), "999", *where)
    assert unknown.returncode == 2
    assert "There is no take #999 in the library." in one_clear_line(unknown)
    past = studio("notes", "still", str(kite), "--frame", "48", "--out", edl, *where)
    assert past.returncode == 2
    assert "--frame 48 is not on take" in one_clear_line(past)
    assert studio("notes", "list", "twelve", *where).returncode == 2  # argparse: not a number

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable = studio("notes", "export", "--edl", str(blocker / "x.edl"), str(kite), *where)
    assert unwritable.returncode == 5
    assert f"Cannot write {blocker / 'x.edl'}" in one_clear_line(unwritable)
    assert not (tmp_path / "x.edl").exists()
