"""`studio notes`: the notes on the frame of takes, headless.

- `export (--otio FILE | --edl FILE) TAKE...`: an OpenTimelineIO timeline or a DaVinci
  Resolve marker EDL of the takes in sequence, each note a marker at its frame;
- `still TAKE --frame N --out FILE [--with-notes]`: that frame as PNG;
- `list TAKE...`: each take's notes as the editor shows them ("what to fix").

Exit 2 for a take the library does not know (or without its clip, for a still), an EDL of
takes at two frame rates, a frame past the clip's end; 5 when the file cannot be written."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from studio.commands.common import open_for
from studio.core.errors import StorageError, StudioError
from studio.core.notes import notes_at
from studio.core.words import count
from studio.export.notes_out import gather
from studio.review.what_to_fix import what_to_fix
from studio.store import Store

T = TypeVar("T")


def run(args: argparse.Namespace) -> int:
    services = asyncio.run(open_for(args, "library"))  # a damaged library: one clear line
    store, library = services.store, services.library
    try:
        if args.notes_command == "export":
            return _export(store, library, args)
        if args.notes_command == "still":
            return _still(store, library, args)
        return _list(store, args)
    finally:
        store.close()


def _export(store: Store, library: Path, args: argparse.Namespace) -> int:
    takes = gather(store, library, args.takes)
    if args.otio is not None:
        from studio.export.otio_file import write_otio  # opentimelineio only when asked for

        dest, notes = args.otio, _writing(args.otio, lambda: write_otio(takes, args.otio))
    else:
        from studio.export.resolve_edl import write_edl

        dest, notes = args.edl, _writing(args.edl, lambda: write_edl(takes, args.edl))
    print(f"{count(notes, 'note')} of {count(len(takes), 'take')} written to {dest}")
    return 0


def _still(store: Store, library: Path, args: argparse.Namespace) -> int:
    from studio.media.still import save_still  # Pillow and PyAV only when asked for

    (take,) = gather(store, library, [args.take])
    if take.clip is None:
        raise StudioError(f"Take {take.job.name} has no clip in the library (deleted?).")
    if not 0 <= args.frame < take.frames:
        raise StudioError(
            f"--frame {args.frame} is not on take {take.job.name}: its frames are "
            f"0 to {take.frames - 1}."
        )
    notes = notes_at(take.notes, args.frame) if args.with_notes else []
    clip = take.clip
    _writing(args.out, lambda: save_still(clip, args.frame, args.out, notes))
    drawn = f" with {count(len(notes), 'note')} on it" if args.with_notes else ""
    print(f"frame {args.frame} of take {take.job.name}{drawn} written to {args.out}")
    return 0


def _list(store: Store, args: argparse.Namespace) -> int:
    for job_id in args.takes:
        job = store.jobs.get(job_id)
        if job is None:
            raise StudioError(f"There is no take #{job_id} in the library.")
        text = what_to_fix(store.notes.for_take(job_id), take=job.name)
        print(text or f"{job.name}: no notes")
    return 0


def _writing(dest: Path, write: Callable[[], T]) -> T:
    """Run a write, a file system's refusal said as a storage error (exit 5)."""
    try:
        return write()
    except OSError as err:
        raise StorageError(f"Cannot write {dest}: {err.strerror or err}.") from None
