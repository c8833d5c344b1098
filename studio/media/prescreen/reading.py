"""Decode a clip once, keeping only what the checks need: per video frame its time, mean
luma, change from the frame before and sharpness, measured on the luma plane scaled to a
fixed width; per audio frame its time and loudness. No picture is kept past its frame, so
a worker's memory stays at the decoder's (see bench/prescreen.py)."""

from __future__ import annotations

import errno
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter

from studio.media.video import stated_seconds

Floats = npt.NDArray[np.float64]
MAX_ERRORS = 25  # decode errors passed over before a clip is read no further
SILENT_DBFS = -200.0  # the loudness of digital silence (log of zero)


@dataclass
class Reading:
    """What one pass over a clip found. `unreadable` says why nothing of it decodes."""

    width: int | None = None
    height: int | None = None
    fps: float | None = None  # the stream's average frame rate
    stated_seconds: float | None = None  # what the file says it lasts
    times: Floats = field(default_factory=lambda: np.zeros(0))  # each frame's start, s
    luma: Floats = field(default_factory=lambda: np.zeros(0))  # mean luma 0-255
    change: Floats = field(default_factory=lambda: np.zeros(0))  # from the frame before
    sharpness: Floats = field(default_factory=lambda: np.zeros(0))  # variance of Laplacian
    audio_track: bool = False
    audio_times: Floats = field(default_factory=lambda: np.zeros(0))  # each audio frame's start
    audio_ends: Floats = field(default_factory=lambda: np.zeros(0))
    audio_dbfs: Floats = field(default_factory=lambda: np.zeros(0))  # RMS, dB full scale
    unreadable: str | None = None
    broke_after: int | None = None  # frames decoded before decoding first failed, if it did
    broke: str | None = None  # the decoder's words

    @property
    def frames(self) -> int:
        return len(self.times)

    @property
    def frame_seconds(self) -> float:
        """How long one frame shows (from the rate, else the frames' spacing)."""
        if self.fps:
            return 1.0 / self.fps
        if len(self.times) > 1:
            return float(np.median(np.diff(self.times)))
        return 0.0

    @property
    def seconds(self) -> float:
        """What plays: from the first frame to the end of the last."""
        if not len(self.times):
            return 0.0
        return float(self.times[-1] + self.frame_seconds)


def read_clip(path: Path, width: int) -> Reading:
    """One pass over the clip's video (and audio, if it has a track). A file that cannot be
    read at all (missing, a folder, no permission) raises `OSError`; anything else is a
    reading, `unreadable` saying why when nothing of it decodes."""
    reading = Reading()
    # A file that cannot be read raises OSError, not a flag (and a FIFO is never opened).
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with open(path, "rb") as fh:
        fh.read(1)
    try:
        container = av.open(str(path))
    except av.FFmpegError as err:
        reading.unreadable = f"not a video that can be opened ({_words(err)})"
        return reading
    with container:
        if not container.streams.video:
            reading.unreadable = "no video stream in it"
            return reading
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        audio = container.streams.audio[0] if container.streams.audio else None
        reading.audio_track = audio is not None
        rate = video.average_rate or video.guessed_rate
        reading.fps = float(rate) if rate else None
        reading.width = video.codec_context.width or None
        reading.height = video.codec_context.height or None
        reading.stated_seconds = stated_seconds(container, video)
        _decode(container, video, audio, reading, width)
    if not reading.frames:
        reading.unreadable = "no frame decodes" + (f" ({reading.broke})" if reading.broke else "")
    return reading


def _decode(
    container: av.container.InputContainer,
    video: av.VideoStream,
    audio: av.AudioStream | None,
    reading: Reading,
    width: int,
) -> None:
    luma = _Luma(width)
    sound: list[tuple[float, float, float]] = []
    errors = 0
    streams = [s for s in (video, audio) if s is not None]
    try:
        for packet in container.demux(streams):
            try:
                decoded = packet.decode()
            except av.FFmpegError as err:
                if packet.stream is audio:
                    continue  # a broken audio packet: that moment reads as silence
                errors += 1
                if reading.broke is None:
                    reading.broke, reading.broke_after = _words(err), len(luma.times)
                if errors > MAX_ERRORS:
                    break
                continue
            for frame in decoded:
                if isinstance(frame, av.VideoFrame):
                    luma.add(frame)
                elif isinstance(frame, av.AudioFrame):
                    sound.append(_loudness(frame))
    except av.FFmpegError as err:  # the container itself stops making sense
        if reading.broke is None:
            reading.broke, reading.broke_after = _words(err), len(luma.times)
    if reading.width is None and luma.size is not None:
        reading.width, reading.height = luma.size
    origin = luma.origin()
    reading.times = np.asarray(luma.times, dtype=np.float64) - origin
    reading.luma = np.asarray(luma.means, dtype=np.float64)
    reading.change = np.asarray(luma.changes, dtype=np.float64)
    reading.sharpness = np.asarray(luma.sharpness, dtype=np.float64)
    if sound:
        starts, ends, dbfs = zip(*sorted(sound), strict=True)
        reading.audio_times = np.asarray(starts) - origin
        reading.audio_ends = np.asarray(ends) - origin
        reading.audio_dbfs = np.asarray(dbfs)


class _Luma:
    """Each frame's luma at the analysis width, measured and then let go."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.reformatter = VideoReformatter()  # keeps one scaling context for the clip
        self.times: list[float] = []
        self.means: list[float] = []
        self.changes: list[float] = []
        self.sharpness: list[float] = []
        self.size: tuple[int, int] | None = None
        self._previous: npt.NDArray[np.int16] | None = None

    def add(self, frame: av.VideoFrame) -> None:
        if self.size is None:
            self.size = (frame.width, frame.height)
        height = max(2, round(self.width * frame.height / max(1, frame.width) / 2) * 2)
        small = self.reformatter.reformat(frame, width=self.width, height=height, format="gray")
        plane = small.to_ndarray().astype(np.int16)
        at = frame.time
        self.times.append(float(at) if at is not None else self._next_time())
        self.means.append(float(plane.mean()))
        previous = self._previous
        if previous is not None and previous.shape == plane.shape:
            self.changes.append(float(np.abs(plane - previous).mean()))
        else:
            self.changes.append(math.nan)  # the first frame: nothing to compare with
        self.sharpness.append(_laplacian_variance(plane))
        self._previous = plane

    def _next_time(self) -> float:
        if len(self.times) > 1:
            return self.times[-1] + (self.times[-1] - self.times[-2])
        return float(len(self.times))  # no timestamps at all: frame numbers stand in

    def origin(self) -> float:
        return min(self.times) if self.times else 0.0


def _laplacian_variance(plane: npt.NDArray[np.int16]) -> float:
    """The variance of the 4-neighbour Laplacian: high where edges are crisp."""
    if plane.shape[0] < 3 or plane.shape[1] < 3:
        return 0.0
    centre = plane[1:-1, 1:-1]
    laplacian = plane[:-2, 1:-1] + plane[2:, 1:-1] + plane[1:-1, :-2] + plane[1:-1, 2:] - 4 * centre
    return float(laplacian.var())


def _loudness(frame: av.AudioFrame) -> tuple[float, float, float]:
    """(start, end, RMS in dBFS) of one decoded audio frame, whatever its sample format."""
    samples = frame.to_ndarray()
    if samples.dtype == np.uint8:
        values = (samples.astype(np.float64) - 128.0) / 128.0
    elif samples.dtype.kind == "i":  # signed PCM: full scale is the type's largest value
        values = samples.astype(np.float64) / float(2 ** (8 * samples.dtype.itemsize - 1))
    else:
        values = samples.astype(np.float64)
    rms = math.sqrt(float(np.mean(np.square(values)))) if values.size else 0.0
    dbfs = 20.0 * math.log10(rms) if rms > 0 else SILENT_DBFS
    start = float(frame.time) if frame.time is not None else 0.0
    rate = frame.sample_rate or 1
    return start, start + frame.samples / rate, max(SILENT_DBFS, dbfs)


def _words(err: Exception) -> str:
    """The decoder's message without its file name and error number."""
    text = getattr(err, "strerror", None) or str(err)
    return str(text).strip() or type(err).__name__
