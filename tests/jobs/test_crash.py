"""Kill -9 a running batch at random moments, restart it, and lose nothing (scaled down);
second engines started on the same library meanwhile change nothing."""

from __future__ import annotations

from pathlib import Path

from bench.crash_safety import run


def test_kill_nine_and_restart_loses_nothing_and_renders_nothing_twice(tmp_path: Path) -> None:
    report = run(
        jobs=26,
        kills=4,
        seed=11,
        workdir=tmp_path,
        render_range=(0.5, 3.0),
        kill_window=(0.8, 3.0),
        finish_timeout=240,
    )
    assert report.runs >= 2, "no restart happened"
    assert report.unexpected == []
    assert report.statuses.get("ready", 0) + report.injected_failures == 26
    assert report.injected_failures == 1
    assert report.duplicate_creates == 0
    assert report.leftover_parts == 0
    assert report.empty_files == 0
    assert report.checksum_mismatches == 0
    assert report.integrity == "ok"
    # a second engine on the held library stepped aside naming the holder, every round
    assert report.rivals >= 1
    assert report.rivals_refused == report.rivals
