"""The pre-screen's data: the thresholds file checked field by field (file and field named),
flags and screenings to JSON and back, and what a take asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studio.core.flags import CHECKS, Flag, Screening
from studio.core.spec import StoredSpec
from studio.media.prescreen.expected import Expected, expected_for
from studio.media.prescreen.thresholds import (
    ThresholdsError,
    default_path,
    load_thresholds,
)
from studio.providers.profiles import load_profiles


def test_the_shipped_thresholds_load_with_every_check_on() -> None:
    found = load_thresholds()
    assert re.fullmatch(r"1-[0-9a-f]{8}", found.version)
    assert found.width == 320
    for check in CHECKS[1:]:  # undecodable is not a check with a threshold
        assert getattr(found, check).enabled, check


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = default_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "prescreen.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max_luma = 20.0", "", r"\[black\] lacks 'max_luma'"),
        ("max_luma = 20.0", 'max_luma = "dark"', r"black\.max_luma must be a number"),
        ("max_luma = 20.0", "max_luma = -1", r"black\.max_luma must be a finite number ≥ 0"),
        ("max_luma = 20.0", "max_luma = nan", r"black\.max_luma must be a finite number"),
        ("max_luma = 20.0", "max_luma = 20.0\nmax_lumen = 3", r"unknown key 'max_lumen'"),
        ("min_reversals = 3", "min_reversals = 2.5", r"flicker\.min_reversals must be a whole"),
        ("enabled = true\nmax_change", "enabled = 1\nmax_change", r"frozen\.enabled must be true"),
        ("version = 1", "version = 0", r"'version' must be a whole number from 1"),
        ("width = 320", "width = 3", r"\[analysis\] must have width"),
        ("[blur]", "[blurry]", r"unknown table or key 'blurry'"),
        ("max_luma = 20.0", "max_luma = [", r"not valid TOML"),
    ],
)
def test_a_bad_thresholds_file_names_the_file_and_the_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _edited(tmp_path, old, new)
    with pytest.raises(ThresholdsError, match=message) as caught:
        load_thresholds(path)
    assert str(path) in str(caught.value)


def test_a_changed_threshold_changes_the_version(tmp_path: Path) -> None:
    shipped = load_thresholds()
    edited = load_thresholds(_edited(tmp_path, "max_luma = 20.0", "max_luma = 24.0"))
    assert edited.black.max_luma == 24.0
    assert edited.version != shipped.version
    assert edited.version.startswith("1-")
    assert load_thresholds(_edited(tmp_path, "max_luma = 20.0", "max_luma = 20.0")) == shipped


def test_a_loudness_threshold_may_be_below_zero() -> None:
    assert load_thresholds().silence.max_dbfs < 0


def test_flags_and_screenings_go_to_json_and_back() -> None:
    flags = (
        Flag("black", 2.0, 3.0, 48, 71, 3.25, 20.0, "mean luma 3.2 (≤ 20) for 1.00 s"),
        Flag("size", 0.0, 4.0, 0, 95, "320x240", "320x180", "320x240, 320x180 asked"),
        Flag("undecodable", 0.0, 0.0, 0, 0, None, None, "no frame decodes"),
    )
    screening = Screening(flags, "1-abcdef12", {"seconds": 4.0, "fps": 24.0}, 1_700_000_000.5)
    back = Screening.from_json(screening.as_json())
    assert back == screening
    assert back.fps == 24.0
    assert back.checks() == ("undecodable", "black", "size")


@pytest.mark.parametrize(
    "data",
    [None, [], "black", {"check": "nonsense"}, {"check": "black", "start": "soon"}],
)
def test_anything_that_is_not_a_flag_reads_as_none(data: object) -> None:
    assert Flag.from_json(data) is None


def test_what_a_take_asked_for() -> None:
    profiles = load_profiles()
    pro = profiles.get("sim-pro")
    sized = StoredSpec(model="sim-pro", prompt="p", seconds=8, size="1280x720")
    assert expected_for(sized, pro) == Expected(8.0, 1280, 720, 24.0, True)
    silent = StoredSpec(model="sim-pro", prompt="p", seconds=8, size="720x1280",
                        generate_audio=False)  # fmt: skip
    assert expected_for(silent, pro) == Expected(8.0, 720, 1280, 24.0, False)
    framed = StoredSpec(model="m", prompt="p", seconds=6, resolution="720p", aspect_ratio="9:16",
                        generate_audio=True)  # fmt: skip
    assert expected_for(framed, None) == Expected(6.0, 720, 1280, None, True)
    odd = StoredSpec(model="m", prompt="p", seconds=0, size="huge")
    assert expected_for(odd, None) == Expected()
