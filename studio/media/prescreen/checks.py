"""The checks, one small function each: a reading of the clip, the thresholds and what was
asked in; flags with their time codes out. A check that is turned off, or has nothing to
compare against, returns none. Each flag's `measured` is the stretch's median (its
typical value), set against the threshold it crossed."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

from studio.core.flags import Flag
from studio.media.prescreen.expected import Expected
from studio.media.prescreen.reading import SILENT_DBFS, Reading
from studio.media.prescreen.thresholds import Thresholds

Mask = npt.NDArray[np.bool_]
Check = Callable[[Reading, Thresholds, Expected], list[Flag]]
_EPSILON = 1e-6  # a stretch of exactly min_seconds counts


def undecodable(reading: Reading, _t: Thresholds, _e: Expected) -> list[Flag]:
    """Nothing decodes (whole clip), or decoding failed part-way (from there to the end the
    file states)."""
    if reading.unreadable is not None:
        return [Flag("undecodable", 0.0, 0.0, 0, 0, None, None, reading.unreadable)]
    if reading.broke is None or reading.broke_after is None:
        return []
    first = reading.broke_after
    start = float(reading.times[first]) if first < reading.frames else reading.seconds
    end = max(reading.seconds, reading.stated_seconds or 0.0)
    last = max(first, round(end * reading.fps) - 1) if reading.fps else first
    return [
        Flag(
            "undecodable",
            start,
            end,
            first,
            last,
            round(start, 3),
            None,
            f"decoding fails after {start:.2f} s ({reading.broke})",
        )
    ]


def black(reading: Reading, t: Thresholds, _e: Expected) -> list[Flag]:
    c = t.black
    if not c.enabled:
        return []
    return [
        _video_flag("black", reading, i, j, reading.luma, c.max_luma, "mean luma", "≤")
        for i, j in _stretches(reading, _black_frames(reading, t), c.min_seconds)
    ]


def frozen(reading: Reading, t: Thresholds, _e: Expected) -> list[Flag]:
    """Frames that do not change from the one before. The stretch starts at the frame they
    all repeat, so a picture held from 2.0 s to 3.0 s reads 2.0-3.0."""
    c = t.frozen
    if not c.enabled:
        return []
    still = (reading.change <= c.max_change) & ~_black_frames(reading, t)
    flags = []
    for i, j in _runs(still):
        first = max(0, i - 1)
        if _span(reading, first, j) + _EPSILON >= c.min_seconds:
            flags.append(
                _video_flag(
                    "frozen", reading, first, j, reading.change, c.max_change, "change", "≤", i
                )
            )
    return flags


def blur(reading: Reading, t: Thresholds, _e: Expected) -> list[Flag]:
    c = t.blur
    if not c.enabled:
        return []
    soft = (reading.sharpness <= c.min_sharpness) & ~_black_frames(reading, t)
    return [
        _video_flag("blur", reading, i, j, reading.sharpness, c.min_sharpness, "sharpness", "≤")
        for i, j in _stretches(reading, soft, c.min_seconds)
    ]


def flicker(reading: Reading, t: Thresholds, _e: Expected) -> list[Flag]:
    """Jumps in the frames' mean luma that keep reversing (up, down, up…) within a short
    window: a cut or a fade goes one way and never counts."""
    c = t.flicker
    if not c.enabled or reading.frames < 3:
        return []
    steps = np.diff(reading.luma)  # steps[k - 1]: frame k against frame k - 1
    jumps = [int(k) + 1 for k in np.flatnonzero(np.abs(steps) >= c.min_jump)]
    flags = []
    for chain in _reversing_chains(reading, steps, jumps, c.window_seconds):
        if len(chain) - 1 >= c.min_reversals:
            sizes = np.abs(steps[np.asarray(chain) - 1])
            first, last = chain[0], chain[-1]
            median = float(np.median(sizes))
            flags.append(
                Flag(
                    "flicker",
                    float(reading.times[first]),
                    _end(reading, last),
                    first,
                    last,
                    round(median, 3),
                    c.min_jump,
                    f"{len(chain) - 1} reversing luma jumps of {median:.1f} (≥ {c.min_jump:g}) "
                    f"in {_end(reading, last) - float(reading.times[first]):.2f} s",
                )
            )
    return flags


def silence(reading: Reading, t: Thresholds, expected: Expected) -> list[Flag]:
    """Where sound was promised (or, not knowing, where a track is there)."""
    c = t.silence
    if not c.enabled or expected.audio is False or reading.unreadable is not None:
        return []
    if not reading.audio_track or not len(reading.audio_dbfs):
        if expected.audio is not True:
            return []
        last = max(0, reading.frames - 1)
        what = "no sound track" if not reading.audio_track else "a sound track with no sound"
        return [Flag("silence", 0.0, reading.seconds, 0, last, None, c.max_dbfs,
                     f"{what}, though the model promised audio")]  # fmt: skip
    quiet = reading.audio_dbfs <= c.max_dbfs
    flags = []
    for i, j in _runs(quiet):
        start, end = float(reading.audio_times[i]), float(reading.audio_ends[j])
        if end - start + _EPSILON < c.min_seconds:
            continue
        median = float(np.median(reading.audio_dbfs[i : j + 1]))
        loudness = "no signal" if median <= SILENT_DBFS else f"loudness {median:.0f} dBFS"
        flags.append(
            Flag(
                "silence",
                max(0.0, start),
                end,
                _frame_at(reading, max(0.0, start)),
                _frame_at(reading, end - _EPSILON),
                round(median, 1),
                c.max_dbfs,
                f"{loudness} (≤ {c.max_dbfs:g} dBFS) for {end - max(0.0, start):.2f} s",
            )
        )
    return flags


def duration(reading: Reading, t: Thresholds, expected: Expected) -> list[Flag]:
    c = t.duration
    if not c.enabled or expected.seconds is None or reading.unreadable is not None:
        return []
    seconds = reading.seconds
    if abs(seconds - expected.seconds) <= c.tolerance_seconds + _EPSILON:
        return []
    return [
        _whole_clip(
            "duration",
            reading,
            round(seconds, 3),
            expected.seconds,
            f"{seconds:.2f} s long, {expected.seconds:g} s asked (± {c.tolerance_seconds:g} s)",
        )
    ]


def size(reading: Reading, t: Thresholds, expected: Expected) -> list[Flag]:
    c = t.size
    if not c.enabled or expected.width is None or expected.height is None:
        return []
    if not reading.width or not reading.height:
        return []
    off = max(abs(reading.width - expected.width), abs(reading.height - expected.height))
    if off <= c.tolerance_pixels:
        return []
    found, asked = f"{reading.width}x{reading.height}", f"{expected.width}x{expected.height}"
    return [_whole_clip("size", reading, found, asked, f"{found}, {asked} asked")]


def frame_rate(reading: Reading, t: Thresholds, expected: Expected) -> list[Flag]:
    c = t.frame_rate
    if not c.enabled or expected.fps is None or not reading.fps or reading.unreadable:
        return []
    if abs(reading.fps - expected.fps) <= c.tolerance_fps + _EPSILON:
        return []
    return [
        _whole_clip(
            "frame_rate",
            reading,
            round(reading.fps, 3),
            expected.fps,
            f"{reading.fps:.3g} fps, the model makes {expected.fps:g} fps",
        )
    ]


# Every check, in the order of studio.core.flags.CHECKS.
CHECK_FUNCTIONS: dict[str, Check] = {
    "undecodable": undecodable,
    "black": black,
    "frozen": frozen,
    "flicker": flicker,
    "blur": blur,
    "silence": silence,
    "duration": duration,
    "size": size,
    "frame_rate": frame_rate,
}


# ---- stretches -----------------------------------------------------------------------------


def _black_frames(reading: Reading, t: Thresholds) -> Mask:
    """Frames the black check reports (frozen and blur leave them to it)."""
    if not t.black.enabled:
        return np.zeros(reading.frames, dtype=np.bool_)
    return np.asarray(reading.luma <= t.black.max_luma, dtype=np.bool_)


def _runs(mask: Mask) -> Iterator[tuple[int, int]]:
    """(first, last) index of each run of True, last inclusive."""
    if not len(mask):
        return
    padded = np.concatenate(([False], mask.astype(np.bool_), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        yield int(start), int(stop) - 1


def _stretches(reading: Reading, mask: Mask, min_seconds: float) -> Iterator[tuple[int, int]]:
    for i, j in _runs(mask):
        if _span(reading, i, j) + _EPSILON >= min_seconds:
            yield i, j


def _span(reading: Reading, first: int, last: int) -> float:
    return _end(reading, last) - float(reading.times[first])


def _end(reading: Reading, last: int) -> float:
    """The end of frame `last`: the next frame's start, or its own start plus a frame."""
    if last + 1 < reading.frames:
        return float(reading.times[last + 1])
    return float(reading.times[last]) + reading.frame_seconds


def _frame_at(reading: Reading, seconds: float) -> int:
    """The frame showing at `seconds`."""
    index = int(np.searchsorted(reading.times, seconds + _EPSILON, side="right")) - 1
    return min(max(index, 0), max(0, reading.frames - 1))


def _video_flag(
    check: str,
    reading: Reading,
    first: int,
    last: int,
    values: npt.NDArray[np.float64],
    threshold: float,
    what: str,
    sign: str,
    measured_from: int | None = None,
) -> Flag:
    window = values[(first if measured_from is None else measured_from) : last + 1]
    median = float(np.median(window))
    start, end = float(reading.times[first]), _end(reading, last)
    return Flag(
        check,
        start,
        end,
        first,
        last,
        round(median, 3),
        threshold,
        f"{what} {median:.1f} ({sign} {threshold:g}) for {end - start:.2f} s",
    )


def _whole_clip(check: str, reading: Reading, measured: float | str, asked: float | str,
                detail: str) -> Flag:  # fmt: skip
    return Flag(check, 0.0, reading.seconds, 0, max(0, reading.frames - 1), measured, asked, detail)


def _reversing_chains(
    reading: Reading, steps: npt.NDArray[np.float64], jumps: list[int], window: float
) -> Iterator[list[int]]:
    """Runs of jumps each opposite in direction to the one before and within `window`
    seconds of it (frame indices)."""
    chain: list[int] = []
    for k in jumps:
        if chain:
            previous = chain[-1]
            reverses = np.sign(steps[k - 1]) != np.sign(steps[previous - 1])
            close = float(reading.times[k] - reading.times[previous]) <= window + _EPSILON
            if reverses and close:
                chain.append(k)
                continue
            yield chain
        chain = [k]
    if chain:
        yield chain
