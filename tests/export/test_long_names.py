"""A project of 100 CJK characters or 100 emoji (the editor allows both) exports: every
name, with the sidecar's `.json` and as the temporary `.NAME.xxxxxxxx.part` it is written
under, fits 255 bytes of UTF-8, cut between characters, and names stay unique."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from studio.core import files
from studio.export import export_takes
from studio.jobs import Engine
from studio.store import Store
from tests.export.folder_checks import SCHEMA, approve, check_consistent, render


@pytest.fixture
def temporary_names(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every temporary name the export writes under (clips, sidecars, the folder's files)."""
    made: list[Path] = []
    real = files.part_path

    def recorded(dest: Path) -> Path:
        part = real(dest)
        made.append(part)
        return part

    monkeypatch.setattr(files, "part_path", recorded)
    return made


@pytest.mark.parametrize(
    ("script", "project"),
    [("cjk", "夜景" * 50), ("emoji", "🎬🦊" * 50)],  # 100 characters: 300 and 400 bytes
    ids=["cjk", "emoji"],
)
async def test_a_project_of_100_wide_characters_exports_within_255_bytes(
    script: str,
    project: str,
    make_engine: Callable[..., Engine],
    store: Store,
    library: Path,
    tmp_path: Path,
    temporary_names: list[Path],
) -> None:
    assert len(project) == 100
    takes = await render(make_engine(), ["a lantern", "a kite", "a heron"], project)
    approve(store, *takes)
    out = tmp_path / "handoff"
    first = export_takes(store, library, takes[:2], out)  # the default template
    cut = project.encode()[:96].decode()  # 32 CJK characters or 24 emoji
    assert [n.removeprefix(cut) for n in first.written] == [
        f"_{t.id:06d}_{t.id:06d}_approve.mp4" for t in takes[:2]
    ]  # the project is cut to 96 bytes: the take's own fields stay in the name
    longest = "{project}{project}{project}"  # 288 bytes or more: cut near 255
    second = export_takes(store, library, takes[2:], out, template=longest)
    third = export_takes(store, library, takes, out, template=longest)  # takes[2]: same bytes
    assert len(second.written) == 1
    assert len(third.written) == 2  # the names taken: suffixes
    assert len(third.identical) == 1
    names = [p.name for p in out.iterdir()]
    assert len(names) == len(set(names)) == 2 + 2 * 5  # five clips and sidecars, two files
    for name in names:
        raw = os.fsencode(name)
        assert len(raw) <= 255, name
        raw.decode("utf-8")  # valid UTF-8: never half a character
    clips = sorted(n for n in names if n.endswith(".mp4"))
    assert all(n.startswith(project[:10]) for n in clips)
    assert any(n.endswith(" (2).mp4") for n in clips)
    assert any(len(n.encode()) > 230 for n in clips)  # cut, near the limit
    assert len({n.casefold() for n in clips}) == 5
    for part in temporary_names:  # as written, never cut: .NAME.xxxxxxxx.part
        assert len(part.name.encode()) <= 255
        assert files.PART_NAME.fullmatch(part.name)
        assert (out / files.PART_NAME.fullmatch(part.name)["name"]).exists()  # type: ignore[index]
    assert len(temporary_names) >= 2 * 5 + 2  # clips, sidecars, manifests, sums
    check_consistent(out)
    schema = json.loads(SCHEMA.read_text())
    for clip in clips:
        side = json.loads((out / clip.removesuffix(".mp4")).with_suffix(".json").read_text())
        jsonschema.validate(side, schema)
        assert side["project"] == project
