"""Players on one clock: play, pause, seek, step and loop go to every one, and while they
play no picture runs more than a frame ahead of another.

What a busy machine taught (two cores, four to nine decoders): a starved decoder presents
late, so it cannot be hurried — seeking it forward made it later still — and the others
must go at its pace. Pausing the ones ahead until it caught up (as two-up compare did) cost
half a second under load before a paused decoder presented again, and the pictures drifted
up to 16 frames apart. Now two things, neither of which stops a decoder:

- each player's frames pass the clock's gate (`ClipPlayer.gate`): a frame more than one
  ahead of another take's picture is held (a few per take) and shown once the others are
  there, so the pictures keep within a frame; the picture furthest behind always goes on
  (a decoder that dropped frames to catch up must never be held by the ones it catches up);
- a take whose decoder runs ahead of the slowest plays slower, by `NUDGE` for each frame
  ahead, down to `SLOWEST_RATE`, so it comes back before its held frames run out.

A take that is not playing (at its end) holds nobody back. Paused, every player rests on
the picture the first one (the lead) stopped on; each player's own picture gate
(`ClipPlayer._hold_rest`) puts back a picture that overran the pause.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer
from PySide6.QtMultimedia import QVideoFrame

from studio.ui.player.player import ClipPlayer

NUDGE = 0.25  # slower by this much per frame ahead of the slowest…
SLOWEST_RATE = 0.1  # …down to this (four frames ahead: nearly still, never paused)
HELD = 8  # frames held back per take at most (the oldest go first)


class SharedClock(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.players: list[ClipPlayer] = []  # the lead first
        self._held: dict[ClipPlayer, deque[tuple[int, QVideoFrame]]] = {}
        self._releasing = False
        self._timer = QTimer(self, interval=40)
        self._timer.timeout.connect(self.keep_in_step)

    def follow(self, player: ClipPlayer) -> None:
        """A player that may join the clock (called once per player, whether it is on the
        clock now or later): its frames pass the clock's gate, and every picture it
        presents is a moment to check the step."""
        player.gate = lambda index, frame: self._admit(player, index, frame)
        player.frame_presented.connect(lambda _frame: self.keep_in_step())

    def use(self, players: Sequence[ClipPlayer]) -> None:
        """These players from now on (paused); the others rest where the first one stops."""
        self.stop()
        self.players = list(players)

    @property
    def lead(self) -> ClipPlayer:
        return self.players[0]

    def running(self) -> bool:
        return self._timer.isActive()

    def held(self, player: ClipPlayer) -> list[int]:
        """The indexes of the frames held back for `player`, oldest first."""
        return [index for index, _frame in self._held.get(player, ())]

    # ---- transport ----------------------------------------------------------------------

    def play(self) -> None:
        self._held.clear()
        frame = self.lead.current_frame()
        for player in self.players[1:]:
            player.seek_frame(frame)
        for player in self.players:
            player.play()
        self._timer.start()

    def pause(self) -> None:
        self.stop()
        for player in self.players:
            player.pause()  # also puts its rate back
        self.seek_frame(self.lead.shown_frame())  # all rest on the picture the lead stopped on

    def seek_frame(self, frame: int) -> None:
        self._held.clear()  # frames from before the seek
        for player in self.players:
            player.seek_frame(frame)

    def step(self, delta: int) -> None:
        self.stop()
        lead = self.lead
        target = (lead.shown_frame() if lead.is_playing() else lead.current_frame()) + delta
        for player in self.players:
            player.pause()
        self.seek_frame(target)

    def set_loop_range(self, first: int, last: int) -> None:
        for player in self.players:
            player.loop_range = (first, last)

    def stop(self) -> None:
        """No more keeping step (each player as it is; frames held back let go)."""
        self._timer.stop()
        self._held.clear()

    # ---- keeping step -------------------------------------------------------------------

    def apart(self) -> int:
        """How many frames apart the pictures on screen are, at most (on a loop, the short
        way round: one may wrap to the first frame a moment before another)."""
        if not self.players:
            return 0
        cycle, lead = self.cycle(), self.lead.shown_frame()
        offsets = [self._ahead(p.shown_frame(), lead, cycle) for p in self.players]
        known = [o for o in offsets if o is not None]
        return max(known) - min(known) if len(known) == len(offsets) else self.lead.frames

    def may_show(self, player: ClipPlayer, index: int) -> bool:
        """Whether `player` may show frame `index` now: not while it would be more than a
        frame ahead of another take's picture (one that plays)."""
        if not self._timer.isActive() or player not in self.players:
            return True
        cycle = self.cycle()
        ahead = (self._ahead(index, o, cycle) for o in self._others(player))
        return all(a is None or a <= 1 for a in ahead)

    def furthest_behind(self, player: ClipPlayer) -> bool:
        """Whether `player`'s picture is the one furthest behind (or level with it): it
        always goes on, or a decoder that dropped frames to catch up would be held by the
        ones it is catching up with."""
        cycle, shown = self.cycle(), player.shown_frame()
        behind = (self._ahead(shown, o, cycle) for o in self._others(player))
        return all(a is None or a <= 0 for a in behind)

    def _others(self, player: ClipPlayer) -> list[int]:
        """The pictures of the other takes that play."""
        return [o.shown_frame() for o in self.players if o is not player and o.is_playing()]

    def _admit(self, player: ClipPlayer, index: int, frame: QVideoFrame) -> bool:
        """The gate: a frame shows now, or is held until the others are there."""
        held = self._held.get(player)
        if not held and (self.may_show(player, index) or self.furthest_behind(player)):
            return True
        if held is None:
            held = self._held[player] = deque(maxlen=HELD)
        held.append((index, frame))
        self._release()
        return False

    def _release(self) -> None:
        """Show each take's held frame that may show now (older ones are dropped)."""
        if self._releasing:  # a frame shown here reports back (frame_presented)
            return
        self._releasing = True
        try:
            moved = True
            while moved:
                moved = False
                for player, held in self._held.items():
                    chosen = self._choose(player, held)
                    if chosen is None:
                        continue
                    while held[0][0] != chosen:
                        held.popleft()
                    _index, frame = held.popleft()
                    player.present(frame)
                    moved = True
        finally:
            self._releasing = False

    def _choose(self, player: ClipPlayer, held: deque[tuple[int, QVideoFrame]]) -> int | None:
        """The held frame to show now: the newest within a frame of the others; for the
        picture furthest behind, else its oldest; None: none yet."""
        cycle, shown = self.cycle(), player.shown_frame()
        while held:  # one not after the picture shown is from before a loop or a seek
            after = self._ahead(held[0][0], shown, cycle)
            if after is not None and after > 0:
                break
            held.popleft()
        allowed = [index for index, _frame in held if self.may_show(player, index)]
        if allowed:
            return allowed[-1]
        if held and self.furthest_behind(player):
            return held[0][0]
        return None

    def keep_in_step(self) -> None:
        """Held frames that may show now are shown; the takes whose decoders run ahead of
        the slowest play slower until they are back."""
        if not self._timer.isActive() or len(self.players) < 2:
            return
        self._release()
        cycle, lead = self.cycle(), self.lead.deck.decoded
        offsets = {p: self._ahead(p.deck.decoded, lead, cycle) for p in self.players}
        known = {p: o for p, o in offsets.items() if o is not None and p.is_playing()}
        slowest = min(known.values(), default=0)
        base = self.lead.rate()
        for player in self.players:
            off = known.get(player)
            ahead = 0 if off is None else off - slowest  # frames ahead of the slowest
            rate = base * max(SLOWEST_RATE, 1 - NUDGE * ahead) if ahead >= 1 else base
            if abs(player.deck.player.playbackRate() - rate) > 1e-6:
                player.deck.player.setPlaybackRate(rate)

    def _ahead(self, index: int, other: int, cycle: int) -> int | None:
        """How many frames `index` is ahead of `other` (< 0: behind), the short way round a
        loop they share; None when they go round differently and one has wrapped (more
        than half the shortest clip apart)."""
        off = index - other
        if cycle:
            off %= cycle
            return off - cycle if off > cycle // 2 else off
        half = min(p.frames for p in self.players) // 2
        return off if abs(off) <= half else None

    def cycle(self) -> int:
        """How many frames all the takes go round in (a loop range they share, or the whole
        clip when all have as many frames); 0 when they do not go round together."""
        players = self.players
        if not players:
            return 0
        loops = {p.loop_range for p in players if p.loop_range and p.looping}
        if len(loops) == 1 and all(p.looping for p in players):
            first, last = next(iter(loops))
            return max(1, last - first + 1)
        if len({p.frames for p in players}) == 1 and not loops:
            return max(1, players[0].frames)
        return 0
