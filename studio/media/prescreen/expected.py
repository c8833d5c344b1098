"""What a take was asked to be, for the checks that compare (duration, size, frame rate,
silence): read from its stored spec and its model's profile. Unknown is None, and a check
with nothing to compare against is not run."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.errors import SpecError
from studio.core.spec import StoredSpec
from studio.providers.profiles import ModelProfile, parse_size, resolution_size


@dataclass(frozen=True)
class Expected:
    seconds: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None  # the model's frame rate, where its profile states one
    # True: sound was promised (a clip without a track is flagged); False: not promised
    # (silence is not checked); None: unknown (a track that is there is checked).
    audio: bool | None = None

    @property
    def size(self) -> str | None:
        return f"{self.width}x{self.height}" if self.width and self.height else None


def expected_for(spec: StoredSpec, profile: ModelProfile | None) -> Expected:
    """What the spec asked for; the profile says the frame rate and, where the spec leaves
    it open, whether sound comes with the model's clips."""
    width = height = None
    try:
        if spec.size:
            width, height = parse_size(spec.size)
        elif spec.resolution and spec.aspect_ratio:
            width, height = resolution_size(spec.resolution, spec.aspect_ratio)
    except SpecError:
        pass  # a frame written by an older version: not compared
    audio = spec.generate_audio
    if audio is None and profile is not None:
        audio = profile.audio
    return Expected(
        seconds=float(spec.seconds) if spec.seconds > 0 else None,
        width=width,
        height=height,
        fps=profile.frame_rate if profile is not None else None,
        audio=audio,
    )
