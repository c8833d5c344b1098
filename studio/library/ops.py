"""The library's operations: the one way a person's change reaches the library — a score, a
decision, tags, a star, a note on the frame, a pairwise comparison, a deleted clip, a saved
search, a cap, a template or rubric version, a learned name that is not a name, a linter
hint from defect tags dismissed for a template, an import —
and the machine pre-screen's results, told the same way.

Each operation is one transaction (a decision over 20,000 takes too: the repositories'
writes join it, see `Database.write`) and, once committed, one `LibraryChange` naming what
changed and which takes. Every view listens to the changes of its store (`listen`) and
refreshes what it shows; nothing wires one view to another by hand. As Anki's `OpChanges`.

Operations are found per store (`ops_for`), so a review session, the Library tab and a
command all reach the same listeners.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from studio.core.flags import Screening
from studio.core.notes import Note, NoteError, Shape, check_note
from studio.store import Store
from studio.store.comparisons import Comparison, Ranker
from studio.store.library_files import delete_local_clips
from studio.store.review import Decision, Template
from studio.store.search import forget_search, save_search

# What a change can be about (a view listens to the kinds it shows).
DECISIONS, SCORES, TAGS, STARS, CLIPS = "decisions", "scores", "tags", "stars", "clips"
SEARCHES, CAPS, TEMPLATES, RUBRICS = "searches", "caps", "templates", "rubrics"
TAKES = "takes"  # takes that were not in the library before (an import)
NAMES = "names"  # learned names a person said are not names, per template
NOTES = "notes"  # notes on the frame (studio.core.notes)
COMPARISONS = "comparisons"  # pairwise comparisons, and so the ranks of the takes they join
FLAGS = "flags"  # a take's machine pre-screen (never a review: flags decide nothing)
HINTS = "hints"  # linter hints from defect tags a person dismissed, per template
REVIEW = frozenset({DECISIONS, SCORES, TAGS, STARS, COMPARISONS})
MAX_TERM = 200  # a learned name is a few words; more is not one
MAX_HINT = 2000  # a hint names a tag, a slot and a slot's text: longer is not one


@dataclass(frozen=True)
class LibraryChange:
    """What one operation changed: kinds, and the takes it touched (none: library-wide)."""

    what: frozenset[str]
    takes: frozenset[int] = frozenset()
    source: object = field(default=None, compare=False)  # who asked (a view may skip its own)

    def about(self, kinds: Iterable[str]) -> bool:
        return bool(self.what & frozenset(kinds))


Listener = Callable[[LibraryChange], None]


@dataclass(frozen=True)
class DecisionEntry:
    """One take's decision in a bulk operation."""

    job_id: int
    decision: str  # approve | edit | discard | undo
    note: str = ""
    escalate: bool = False
    scores: Mapping[str, int] | None = None
    tags: tuple[str, ...] = ()
    rubric_id: int | None = None  # the version its scores were given under (else the call's)


class LibraryOps:
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store, self.clock = store, clock
        self._listeners: list[Listener] = []

    # ---- listening ----------------------------------------------------------------------

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after each change; returns what stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @contextmanager
    def _operation(
        self, what: Iterable[str], takes: Iterable[int] = (), source: object = None
    ) -> Iterator[None]:
        """One transaction; the change is told once it is committed (never for a rollback)."""
        with self.store.db.write():
            yield
        self._tell(LibraryChange(frozenset(what), frozenset(takes), source))

    def _tell(self, change: LibraryChange) -> None:
        for listener in list(self._listeners):
            listener(change)

    # ---- review records -----------------------------------------------------------------

    def score(
        self,
        job_id: int,
        rubric_id: int,
        criterion: str,
        value: int,
        *,
        reviewer: str,
        tags: tuple[str, ...] = (),
        at: float | None = None,
        source: object = None,
    ) -> None:
        when = self.clock() if at is None else at
        with self._operation({SCORES}, [job_id], source):
            self.store.verdicts.score(
                job_id, rubric_id, criterion, value, reviewer=reviewer, at=when, tags=tags
            )

    def decide(
        self,
        entries: Sequence[DecisionEntry],
        *,
        reviewer: str,
        rubric_id: int | None,
        at: float | None = None,
        source: object = None,
    ) -> list[Decision]:
        """Decisions for one take or many, in one transaction."""
        made: list[Decision] = []
        at = self.clock() if at is None else at
        with self._operation({DECISIONS}, [e.job_id for e in entries], source):
            for e in entries:
                made.append(
                    self.store.verdicts.decide(
                        e.job_id,
                        e.decision,
                        reviewer=reviewer,
                        at=at,
                        rubric_id=e.rubric_id if e.rubric_id is not None else rubric_id,
                        note=e.note,
                        escalate=e.escalate,
                        scores=dict(e.scores) if e.scores is not None else None,
                        tags=e.tags,
                    )
                )
        return made

    def set_tags(
        self,
        tags: Mapping[int, Sequence[str]],
        *,
        at: float | None = None,
        source: object = None,
    ) -> None:
        """Each take's defect tags, all at once."""
        when = self.clock() if at is None else at
        with self._operation({TAGS}, tags, source):
            for job_id, on in tags.items():
                self.store.verdicts.set_tags(job_id, sorted(on), at=when)

    def star(
        self,
        job_ids: Sequence[int],
        on: bool,
        *,
        at: float | None = None,
        source: object = None,
    ) -> None:
        when = self.clock() if at is None else at
        with self._operation({STARS}, job_ids, source):
            for job_id in job_ids:
                self.store.verdicts.star(job_id, on, at=when)

    # ---- notes on the frame -------------------------------------------------------------

    def add_note(
        self,
        job_id: int,
        frame: int,
        *,
        fps: float,
        picture: tuple[int, int],
        text: str = "",
        shapes: Sequence[Shape] = (),
        end_frame: int | None = None,
        author: str = "",
        frames: int | None = None,
        at: float | None = None,
        source: object = None,
    ) -> Note:
        """A note on a take's frame (or on `frame` to `end_frame`), checked by
        `check_note` against the picture (the clip's width and height: points outside move
        onto its edge) and the clip's length (`frames`, else its recorded duration at
        `fps`); `NoteError` says what is wrong and nothing is kept."""
        when = self.clock() if at is None else at
        note = Note(job_id, frame, fps, text, tuple(shapes), end_frame, author, when)
        note = check_note(note, picture=picture, frames=self._length(job_id, fps, frames))
        with self._operation({NOTES}, [job_id], source):
            note_id = self.store.notes.add(note)
        return replace(note, id=note_id)

    def edit_note(
        self,
        note: Note,
        *,
        picture: tuple[int, int],
        frames: int | None = None,
        at: float | None = None,
        source: object = None,
    ) -> Note:
        """A stored note changed (its frame, range, text or drawing: `dataclasses.replace`
        on the one read), checked as `add_note` checks."""
        stored = self.store.notes.get(note.id)
        if stored is None:
            raise NoteError("", f"Note {note.id} is not in the library (deleted?).")
        when = self.clock() if at is None else at
        edited = replace(
            note,
            job_id=stored.job_id,
            fps=stored.fps,
            author=stored.author,
            created_at=stored.created_at,
            edited_at=when,
        )
        length = self._length(stored.job_id, stored.fps, frames)
        edited = check_note(edited, picture=picture, frames=length)
        with self._operation({NOTES}, [stored.job_id], source):
            self.store.notes.update(edited, at=when)
        return edited

    def delete_note(self, note_id: int, *, at: float | None = None, source: object = None) -> None:
        """Take a note off its take (kept aside: `undelete_note` brings it back)."""
        stored = self.store.notes.get(note_id)
        if stored is None:
            return
        with self._operation({NOTES}, [stored.job_id], source):
            self.store.notes.delete(note_id, at=self.clock() if at is None else at)

    def undelete_note(self, note_id: int, *, source: object = None) -> Note | None:
        stored = self.store.notes.get(note_id, deleted=True)
        if stored is None:
            return None
        with self._operation({NOTES}, [stored.job_id], source):
            self.store.notes.undelete(note_id)
        return stored

    def _length(self, job_id: int, fps: float, frames: int | None) -> int | None:
        """The clip's length in frames: as given, else from its recorded duration (rounded
        up: a duration read from the container may run a little past the last frame)."""
        if self.store.jobs.get(job_id) is None:
            raise NoteError("", f"There is no take #{job_id} in the library.")
        if frames is not None:
            return frames
        video = self.store.assets.for_job(job_id).get("video")
        if video is None or not video.duration or not math.isfinite(fps) or fps <= 0:
            return None
        return math.ceil(video.duration * fps - 1e-6)

    def compare(
        self,
        left: int,
        right: int,
        choice: str,
        *,
        reviewer: str,
        ranker: Ranker,
        at: float | None = None,
        source: object = None,
    ) -> Comparison:
        """One blind comparison of two takes (as shown: left, right; the choice left, right
        or tie) and the ranks of its group written again, in one transaction. The change
        names both takes and every take whose rank moved with them."""
        when = self.clock() if at is None else at
        with self.store.db.write():
            made = self.store.comparisons.add(left, right, choice, reviewer=reviewer, at=when)
            ranked = self.store.comparisons.refresh_ranks({left, right}, ranker)
        self._tell(LibraryChange(frozenset({COMPARISONS}), frozenset(ranked), source))
        return made

    def take_back_comparison(
        self,
        comparison_id: int,
        *,
        reviewer: str,
        ranker: Ranker,
        at: float | None = None,
        source: object = None,
    ) -> Comparison | None:
        """Take a comparison back (kept, marked undone) and rank its group again; None,
        and no change, when it was taken back already."""
        when = self.clock() if at is None else at
        with self.store.db.write():
            undone = self.store.comparisons.undo(comparison_id, reviewer=reviewer, at=when)
            if undone is None:
                return None
            pair = {undone.left_id, undone.right_id}
            ranked = self.store.comparisons.refresh_ranks(pair, ranker)
        self._tell(LibraryChange(frozenset({COMPARISONS}), frozenset(ranked | pair), source))
        return undone

    # ---- files and library-wide settings --------------------------------------------------

    def delete_local_clips(
        self, library: Path, job_ids: Sequence[int], *, reviewer: str = ""
    ) -> int:
        """Delete the takes' files (rows, reviews and history stay); how many had one."""
        with self._operation({CLIPS}, job_ids):
            return delete_local_clips(self.store, library, list(job_ids), reviewer=reviewer)

    def save_search(self, name: str, query: str) -> None:
        with self._operation({SEARCHES}):
            save_search(self.store.db, name, query, at=self.clock())

    def forget_search(self, name: str) -> None:
        with self._operation({SEARCHES}):
            forget_search(self.store.db, name)

    def set_cap(self, scope: str, key: str, cap_usd: float | None) -> None:
        with self._operation({CAPS}):
            self.store.budgets.set_cap(scope, key, cap_usd, at=self.clock())

    def mark_known_good(self, template_id: int, good: bool) -> None:
        with self._operation({TEMPLATES}):
            self.store.templates.mark_known_good(template_id, good)

    def save_template(
        self, campaign: str, product: str, use_case: str, slots: dict[str, str], *, note: str
    ) -> Template:
        """A new version of a template (the next number for its name)."""
        with self._operation({TEMPLATES}):
            return self.store.templates.save(
                campaign, product, use_case, slots, change_note=note, at=self.clock()
            )

    def not_a_name(self, template_id: int, term: str) -> None:
        """The linter stops flagging a learned name in this template's prompts (every
        version of it): a person said it is not a name."""
        term = " ".join(term.split())
        if not term or len(term) > MAX_TERM:
            raise ValueError(f"A name to dismiss must be 1 to {MAX_TERM} characters.")
        with self._operation({NAMES}):
            self.store.not_names.add(template_id, term, at=self.clock())

    def dismiss_hint(self, template_id: int, tag: str, slot: str, value: str) -> None:
        """The linter stops hinting this tag on this slot value (a slot's folded text, a
        preset's "preset:<id>", "" for the template as a whole) in this template's prompts
        (every version of it), whatever its counts become."""
        if not tag.strip() or not slot.strip() or len(tag) + len(slot) + len(value) > MAX_HINT:
            raise ValueError(f"A hint to dismiss names a tag and a slot, in {MAX_HINT} characters.")
        with self._operation({HINTS}):
            self.store.tag_hints.dismiss(template_id, tag, slot, value, at=self.clock())

    def keep_rubric(self, name: str, body: dict[str, Any]) -> tuple[int, int]:
        """The stored version of this rubric body as (id, version): a new version, and a
        change, only when the body differs from the latest one."""
        with self.store.db.write():
            latest = self.store.rubrics.latest(name)
            if latest is not None and latest[2] == body:
                return latest[0], latest[1]
            made = self.store.rubrics.save(name, body, at=self.clock())
        self._tell(LibraryChange(frozenset({RUBRICS})))
        return made

    # ---- the machine pre-screen -----------------------------------------------------------

    def record_screening(
        self, job_id: int, sha256: str, screening: Screening, *, source: object = None
    ) -> None:
        """A take's pre-screen of the clip with these bytes (its flags replace any before)."""
        with self._operation({FLAGS}, [job_id], source), self.store.db.write() as tx:
            self.store.flags.save(tx, job_id, sha256, screening)

    # ---- imports --------------------------------------------------------------------------

    @contextmanager
    def importing(self, source: object = None) -> Iterator[set[int]]:
        """An import, told as one change naming every take it brought or added review
        records to (the caller adds their ids to the set it is given). Its clips arrive one
        transaction each, a file copy apart, so an import stopped half-way keeps what
        arrived and a re-run finishes it; the change is told even then."""
        touched: set[int] = set()
        try:
            yield touched
        finally:
            if touched:
                self._tell(
                    LibraryChange(
                        frozenset(REVIEW | {TAKES, CLIPS, NOTES}), frozenset(touched), source
                    )
                )


_OPS: weakref.WeakKeyDictionary[Store, LibraryOps] = weakref.WeakKeyDictionary()


def ops_for(store: Store) -> LibraryOps:
    """The operations of this store (one per store, so every caller reaches its listeners)."""
    ops = _OPS.get(store)
    if ops is None:
        ops = _OPS[store] = LibraryOps(store)
    return ops
