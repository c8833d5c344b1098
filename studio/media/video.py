"""What a clip is (its size, frame rate and length) and one frame of it as a picture, read
with PyAV (no ffmpeg process).

Frames are counted as the player counts them: frame n is the one shown from n / fps
seconds after the clip's first frame (the stream's start time subtracted), the first
being frame 0."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from studio.core.errors import StudioError


class VideoError(StudioError):
    """The clip cannot be read, or has no such frame; the message says which."""


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: float
    frames: int  # as the file states it (or its duration times its rate)

    @property
    def picture(self) -> tuple[int, int]:
        return self.width, self.height


def probe(path: Path) -> VideoFacts:
    """The clip's size, rate and length from its header (nothing is decoded)."""
    try:
        with av.open(str(path)) as container:
            stream = _video(container, path)
            rate = _rate(stream, path)
            frames = int(stream.frames or 0)
            if not frames:
                seconds = stated_seconds(container, stream)
                frames = round(seconds * float(rate)) if seconds else 0
            return VideoFacts(int(stream.width), int(stream.height), float(rate), frames)
    except VideoError:
        raise
    except (av.FFmpegError, OSError, ValueError) as err:
        raise VideoError(f"{path.name} cannot be read as a video ({err}).") from None


def frame_image(path: Path, frame: int) -> Image.Image:
    """Frame `frame` of the clip as an RGB picture at the clip's own size."""
    if frame < 0:
        raise VideoError(f"Frame {frame} is before the clip's first frame (0).")
    try:
        with av.open(str(path)) as container:
            stream = _video(container, path)
            rate = _rate(stream, path)
            found = _decode_at(container, stream, rate, frame, seek=True)
            if found is None:  # the seek landed past it (a stream without exact keyframes)
                found = _decode_at(container, stream, rate, frame, seek=False)
    except VideoError:
        raise
    except (av.FFmpegError, OSError, ValueError) as err:
        raise VideoError(f"{path.name} cannot be read as a video ({err}).") from None
    if found is None:
        raise VideoError(f"{path.name} has no frame {frame} (it ends before it).")
    return found


def _decode_at(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    rate: Fraction,
    wanted: int,
    *,
    seek: bool,
) -> Image.Image | None:
    base = stream.time_base or Fraction(1, 90_000)
    start = stream.start_time or 0
    if seek:
        container.seek(start + int(Fraction(wanted) / rate / base), stream=stream, backward=True)
    else:
        container.seek(start, stream=stream, backward=True)
    for decoded in container.decode(stream):
        if decoded.pts is None:
            continue
        index = round((decoded.pts - start) * base * rate)
        if index > wanted:
            return None
        if index == wanted:
            image: Image.Image = decoded.to_image()  # type: ignore[no-untyped-call]
            return image.convert("RGB")
    return None


def _video(container: av.container.InputContainer, path: Path) -> av.VideoStream:
    if not container.streams.video:
        raise VideoError(f"{path.name} has no video in it.")
    return container.streams.video[0]


def _rate(stream: av.VideoStream, path: Path) -> Fraction:
    rate = stream.average_rate or stream.guessed_rate
    if not rate:
        raise VideoError(f"{path.name} does not say its frame rate.")
    return Fraction(rate)


def stated_seconds(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    """How long the file says its video lasts (the stream's duration, else the file's)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return None


__all__ = ["VideoError", "VideoFacts", "frame_image", "probe", "stated_seconds"]
