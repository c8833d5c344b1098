"""Notes as an OpenTimelineIO timeline (`.otio`): one video track with the takes in
sequence, each a clip over its whole length that points at its file, and each note a marker
on its clip in source time — at the note's frame at the clip's rate, one frame long, or
over its range. The marker's name is the note's first line, its comment the whole text,
its colour that of the note's first shape (blue when it drew nothing); its metadata
(`studio`) keeps the author, the times, the frames and the drawing, so nothing of the note
is lost on the way to an editor."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import opentimelineio as otio

from studio.core.files import write_atomic
from studio.core.notes import Note, drawing_to_json
from studio.export.notes_out import TakeNotes
from studio.export.sidecar import iso

# The palette's colours (studio.core.notes.PALETTE) as OTIO names them.
MARKER_COLOURS = {
    "red": otio.schema.MarkerColor.RED,
    "yellow": otio.schema.MarkerColor.YELLOW,
    "green": otio.schema.MarkerColor.GREEN,
    "cyan": otio.schema.MarkerColor.CYAN,
    "blue": otio.schema.MarkerColor.BLUE,
    "pink": otio.schema.MarkerColor.PINK,
    "white": otio.schema.MarkerColor.WHITE,
}
UNDRAWN = otio.schema.MarkerColor.BLUE


def write_otio(takes: Sequence[TakeNotes], dest: Path, *, name: str = "Studio notes") -> int:
    """Write the timeline to `dest` (whole or not at all); returns how many markers."""
    timeline = timeline_of(takes, name=name)
    text = otio.adapters.write_to_string(timeline, "otio_json")
    write_atomic(dest, text.encode("utf-8"))
    return sum(len(t.notes) for t in takes)


def timeline_of(takes: Sequence[TakeNotes], *, name: str = "Studio notes") -> Any:
    track = otio.schema.Track(name="Takes", kind=otio.schema.TrackKind.Video)
    for take in takes:
        track.append(_clip(take))
    timeline = otio.schema.Timeline(name=name)
    timeline.tracks.append(track)
    return timeline


def _clip(take: TakeNotes) -> Any:
    rate = take.rate
    whole = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(take.frames, rate)
    )
    if take.clip is not None:
        media = otio.schema.ExternalReference(
            target_url=take.clip.resolve().as_uri(), available_range=whole
        )
    else:
        media = otio.schema.MissingReference(name="clip deleted", available_range=whole)
    job = take.job
    clip = otio.schema.Clip(name=job.name, media_reference=media, source_range=whole)
    clip.metadata["studio"] = {
        "take": job.id,
        "project": job.project,
        "model": job.model,
        "prompt": job.prompt,
    }
    for note in take.notes:
        clip.markers.append(_marker(note, rate))
    return clip


def _marker(note: Note, rate: float) -> Any:
    marked = otio.opentime.TimeRange(
        otio.opentime.RationalTime(note.frame, rate), otio.opentime.RationalTime(note.frames, rate)
    )
    colour = MARKER_COLOURS[note.shapes[0].colour] if note.shapes else UNDRAWN
    marker = otio.schema.Marker(
        name=note.headline, marked_range=marked, color=colour, comment=note.text
    )
    marker.metadata["studio"] = {
        "author": note.author,
        "created": iso(note.created_at),
        "edited": iso(note.edited_at),
        "frame": note.frame,
        "end_frame": note.end_frame,
        "timecode": note.when,
        "drawing": drawing_to_json(note.shapes),
    }
    return marker


__all__ = ["MARKER_COLOURS", "timeline_of", "write_otio"]
