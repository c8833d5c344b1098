"""`studio prescreen CLIP...` as a real process: each clip's flags with their time codes,
`--json` keyed by path, exit 0 flagged or not and 2 only for a file that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.media import clips
from tests.test_cli import one_clear_line, studio


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("prescreen")
    clips.write_clip(here / "clean.mp4", audio="tone")
    clips.write_clip(here / "black.mp4", defect=clips.black(2.0, 3.0))
    clips.write_clip(here / "short.mp4", seconds=3.0)
    (here / "corrupt.mp4").write_bytes(b"not a video at all" * 100)
    return here


def test_each_clip_is_listed_with_its_flags_and_time_codes(folder: Path) -> None:
    paths = [str(folder / n) for n in ("clean.mp4", "black.mp4", "corrupt.mp4")]
    result = studio("prescreen", *paths)
    assert result.returncode == 0, result.stderr  # flagged or not
    lines = result.stdout.splitlines()
    assert lines[0] == f"{paths[0]}: no flags"
    assert lines[1] == f"{paths[1]}: 1 flag"
    assert lines[2].split() == ["black", "00:00:02:00–00:00:03:00", "(frames", "48–71)", "mean",
                                "luma", "0.0", "(≤", "20)", "for", "1.00", "s"]  # fmt: skip
    assert lines[3] == f"{paths[2]}: 1 flag"
    assert lines[4].split()[0] == "undecodable"
    assert "not a video that can be opened" in lines[4]


def test_what_was_asked_is_compared(folder: Path) -> None:
    short = str(folder / "short.mp4")
    result = studio("prescreen", short, "--seconds", "4", "--size", "320x180", "--audio")
    assert result.returncode == 0, result.stderr
    checks = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert checks == ["silence", "duration"]  # no sound track, and 3 s of the 4 asked
    assert studio("prescreen", short, "--no-audio").stdout == f"{short}: no flags\n"


def test_json_is_one_object_keyed_by_path(folder: Path) -> None:
    paths = [str(folder / n) for n in ("black.mp4", "clean.mp4")]
    result = studio("prescreen", "--json", *paths)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert list(found) == paths
    (flag,) = found[paths[0]]["flags"]
    assert flag["check"] == "black"
    assert (flag["start"], flag["end"]) == (2.0, 3.0)
    assert (flag["first_frame"], flag["last_frame"]) == (48, 71)
    assert (flag["start_timecode"], flag["end_timecode"]) == ("00:00:02:00", "00:00:03:00")
    assert flag["threshold"] == 20.0
    assert found[paths[1]]["flags"] == []
    assert found[paths[1]]["measured"]["audio"] is True


def test_a_file_that_cannot_be_read_exits_2_after_the_others(folder: Path) -> None:
    missing, clean = str(folder / "missing.mp4"), str(folder / "clean.mp4")
    result = studio("prescreen", missing, clean, str(folder))
    assert result.returncode == 2
    assert result.stdout == f"{clean}: no flags\n"
    assert f"studio: {missing} cannot be read (No such file or directory)" in result.stderr
    assert f"studio: {folder} cannot be read (not a regular file)" in result.stderr
    as_json = json.loads(studio("prescreen", "--json", missing, clean).stdout)
    assert as_json[missing] == {"error": "cannot be read (No such file or directory)"}
    assert as_json[clean]["flags"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "big"], "Size 'big' is not of the form WIDTHxHEIGHT"),
        (["--thresholds", "/nonexistent/prescreen.toml"], "/nonexistent/prescreen.toml: cannot"),
    ],
)
def test_bad_options_are_one_clear_line(folder: Path, args: list[str], message: str) -> None:
    result = studio("prescreen", str(folder / "clean.mp4"), *args)
    assert result.returncode == 2
    assert message in one_clear_line(result)
