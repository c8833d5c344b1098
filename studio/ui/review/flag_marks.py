"""The machine pre-screen's flags on the review's scrub bar — a mark per flag over its
frames, in its check's colour — and the keys that jump to the previous or next flag,
saying which flag it is and what was measured there."""

from __future__ import annotations

from studio.core.flags import Flag
from studio.store import Store
from studio.ui.player.flags import COLOURS, flag_line
from studio.ui.player.player import ClipPlayer
from studio.ui.player.scrub import Mark

KIND = "flag"  # the scrub bar's marks of the pre-screen (notes are "note")


class FlagMarks:
    def __init__(self, player: ClipPlayer) -> None:
        self.player = player
        self.job_id: int | None = None
        self.flags: tuple[Flag, ...] = ()
        self.fps: float | None = None  # as the pre-screen measured the clip

    def show_take(self, store: Store | None, job_id: int | None, *, again: bool = False) -> None:
        """The take's flags (none: not screened yet, or nothing found) as marks; read
        `again` when its screening may have changed."""
        if job_id == self.job_id and job_id is not None and not again:
            return
        screening = store.flags.screening(job_id) if store and job_id is not None else None
        self.job_id = job_id
        self.flags = screening.flags if screening is not None else ()
        self.fps = screening.fps if screening is not None else None
        marks = [
            Mark(f.first_frame, f.last_frame if f.last_frame > f.first_frame else None,
                 COLOURS.get(f.check, COLOURS["undecodable"]), KIND)
            for f in self.flags
        ]  # fmt: skip
        self.player.slider.set_marks(KIND, marks)

    def jump(self, step: int) -> str:
        """To the start of the next (1) or previous (-1) flag from the frame shown; what
        is said of it on the status line."""
        if not self.flags:
            return "No pre-screen flags on this take."
        here = self.player.current_frame()
        order = sorted(range(len(self.flags)), key=lambda i: (self.flags[i].first_frame, i))
        if step > 0:
            ahead = [i for i in order if self.flags[i].first_frame > here]
            chosen = ahead[0] if ahead else None
        else:
            behind = [i for i in order if self.flags[i].first_frame < here]
            chosen = behind[-1] if behind else None
        if chosen is None:
            return "No later flag." if step > 0 else "No earlier flag."
        flag = self.flags[chosen]
        self.player.pause()
        self.player.seek_frame(flag.first_frame)
        where = flag_line(flag, self.fps or self.player.fps)
        return f"Flag {order.index(chosen) + 1} of {len(self.flags)}: {where}"
