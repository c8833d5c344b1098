"""What the machine pre-screen found in a clip, in one home: flags with the time codes they
concern and what was measured against which threshold (`studio.media.prescreen` makes
them; the store keeps them; the command line, the sidecar and the views show them).

Flags point a reviewer at a stretch worth a look; they never score or decide anything.
Their frames count as the player counts them (studio.core.timecode).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.core.timecode import timecode

# Every check, in the order a clip's flags are listed.
CHECKS: tuple[str, ...] = (
    "undecodable",
    "black",
    "frozen",
    "flicker",
    "blur",
    "silence",
    "duration",
    "size",
    "frame_rate",
)

Measure = float | str | None  # a number, a frame size ("1280x720"), or nothing to show


@dataclass(frozen=True)
class Flag:
    """One finding: which check, where in the clip, and the measurement behind it."""

    check: str  # one of CHECKS
    start: float  # seconds from the clip's first frame
    end: float  # seconds: the end of the last frame concerned
    first_frame: int  # index of the first frame concerned (0 is the clip's first)
    last_frame: int  # index of the last frame concerned (inclusive)
    measured: Measure  # what the clip showed: the stretch's median, or the value found
    threshold: Measure  # what it was measured against (a limit, or what was asked)
    detail: str = ""  # the finding in words: "mean luma 16.2 (≤ 20) for 1.00 s"

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)

    def timecodes(self, fps: float | None) -> tuple[str, str]:
        """The time codes of its first frame and of the end of its last (seconds where the
        clip states no frame rate: one that does not decode)."""
        if not fps:
            return f"{self.start:.3f} s", f"{self.end:.3f} s"
        return timecode(self.first_frame, fps), timecode(self.last_frame + 1, fps)

    def span(self, fps: float | None) -> str:
        """Where it is, as the command line and the review say it:
        "00:00:03:00–00:00:04:12 (frames 72–107)"."""
        frames = (
            f"frame {self.first_frame}"
            if self.first_frame == self.last_frame
            else f"frames {self.first_frame}–{self.last_frame}"
        )
        start, end = self.timecodes(fps)
        return f"{start}–{end} ({frames})"

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "first_frame": self.first_frame,
            "last_frame": self.last_frame,
            "measured": _rounded(self.measured),
            "threshold": _rounded(self.threshold),
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: object) -> Flag | None:
        """A flag from its JSON form; None for anything that is not one."""
        if not isinstance(data, Mapping) or data.get("check") not in CHECKS:
            return None
        try:
            return cls(
                check=str(data["check"]),
                start=float(data.get("start", 0.0)),
                end=float(data.get("end", 0.0)),
                first_frame=int(data.get("first_frame", 0)),
                last_frame=int(data.get("last_frame", 0)),
                measured=_measure(data.get("measured")),
                threshold=_measure(data.get("threshold")),
                detail=str(data.get("detail") or ""),
            )
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Screening:
    """A clip's pre-screen: its flags, what it measured, under which thresholds."""

    flags: tuple[Flag, ...]
    thresholds: str  # the version of the thresholds used ("1-3fa2c19e")
    # What the clip was found to be: seconds, width, height, fps, frames, audio.
    measured: Mapping[str, Any] = field(default_factory=dict)
    screened_at: float = 0.0

    @property
    def fps(self) -> float | None:
        fps = self.measured.get("fps")
        return float(fps) if isinstance(fps, int | float) and fps > 0 else None

    def checks(self) -> tuple[str, ...]:
        """The checks that flagged something, in CHECKS order, each once."""
        found = {f.check for f in self.flags}
        return tuple(c for c in CHECKS if c in found)

    def as_json(self) -> dict[str, Any]:
        return {
            "thresholds": self.thresholds,
            "screened_at": self.screened_at,
            "measured": dict(self.measured),
            "flags": [f.as_json() for f in self.flags],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Screening:
        flags = (Flag.from_json(f) for f in data.get("flags") or [])
        measured = data.get("measured")
        return cls(
            flags=tuple(f for f in flags if f is not None),
            thresholds=str(data.get("thresholds") or ""),
            measured=dict(measured) if isinstance(measured, Mapping) else {},
            screened_at=float(data.get("screened_at") or 0.0),
        )


def _rounded(value: Measure) -> Measure:
    return round(value, 3) if isinstance(value, float) else value


def _measure(value: object) -> Measure:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return str(value)
