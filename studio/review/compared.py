"""How many takes compare side by side: 2 to 9 (a 3x3 grid; past that each picture is too
small to judge). One rule for the take list's C, the Library's Compare and the stage."""

from __future__ import annotations

from studio.review.session import ReviewError

FEWEST, MOST = 2, 9


def check_compared(count: int) -> None:
    """Refuse, saying why, a number of takes compare cannot show."""
    if count > MOST:
        raise ReviewError(
            f"Compare shows {FEWEST} to {MOST} takes at once: {count} are selected. Select fewer."
        )
    if count < FEWEST:
        chosen = "none is" if count == 0 else "only one is"
        raise ReviewError(f"Select {FEWEST} to {MOST} takes to compare: {chosen} selected.")
