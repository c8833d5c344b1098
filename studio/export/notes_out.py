"""Takes and their notes, gathered for the editorial exports (OpenTimelineIO and the
DaVinci Resolve marker EDL): each take's clip, its frame rate and length, and its notes
counted at that rate, in the order the takes were named (one track, clips in sequence).

The rate and length are the clip's own, read from its file (studio.media.video); for a take
whose clip was deleted, the rate its notes were made at and the duration the library
recorded. A note made at another rate than its clip's (it should not happen) is moved to
the frame that starts at the same time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from studio.core.errors import StudioError
from studio.core.notes import Note
from studio.core.timecode import frame_at_rate
from studio.media.video import VideoError, probe
from studio.store import JobRow, Store


class NoteExportError(StudioError):
    """The notes cannot be exported as asked; the message says why (exit 2)."""


@dataclass(frozen=True)
class TakeNotes:
    job: JobRow
    rate: float  # the clip's frames per second
    frames: int  # the clip's length in frames
    clip: Path | None  # its file in the library (None: deleted, or never arrived)
    notes: tuple[Note, ...]  # in frame order, counted at `rate`


def gather(store: Store, library: Path, job_ids: Sequence[int]) -> list[TakeNotes]:
    """The takes named, in that order; `NoteExportError` for a number the library does not
    know, a take named twice, or one whose frame rate cannot be known."""
    if not job_ids:
        raise NoteExportError("Name at least one take to export its notes.")
    seen: set[int] = set()
    takes = []
    noted = store.notes.for_takes(job_ids)
    for job_id in job_ids:
        if job_id in seen:
            raise NoteExportError(f"Take #{job_id} is named twice.")
        seen.add(job_id)
        job = store.jobs.get(job_id)
        if job is None:
            raise NoteExportError(f"There is no take #{job_id} in the library.")
        takes.append(_take(store, library, job, noted.get(job_id, [])))
    return takes


def _take(store: Store, library: Path, job: JobRow, notes: list[Note]) -> TakeNotes:
    clip = store.assets.file(library, job.id, "video")
    if clip is not None and not store.assets.present(library, job.id):
        clip = None
    rate, frames = None, None
    if clip is not None:
        try:
            facts = probe(clip)
            rate, frames = facts.fps, facts.frames
        except VideoError:
            clip = None
    if rate is None:
        if not notes:
            raise NoteExportError(
                f"Take {job.name} has neither its clip nor a note: its frame rate is unknown."
            )
        rate = notes[0].fps
    at_rate = tuple(
        replace(
            n,
            frame=frame_at_rate(n.frame, n.fps, rate),
            end_frame=None if n.end_frame is None else frame_at_rate(n.end_frame, n.fps, rate),
            fps=rate,
        )
        for n in notes
    )
    if not frames:
        video = store.assets.for_job(job.id).get("video")
        recorded = math.ceil(video.duration * rate - 1e-6) if video and video.duration else 0
        frames = max([recorded, 1, *(n.last_frame + 1 for n in at_rate)])
    return TakeNotes(job, rate, frames, clip, at_rate)


__all__ = ["NoteExportError", "TakeNotes", "gather"]
