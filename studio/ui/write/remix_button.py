"""The editor's Remix button: shown while a finished take is revised, enabled only where
that take can be remixed (its model's profile has remix, as the OpenAI shape does), and
otherwise saying why in its tooltip."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from studio.jobs.remix import RemixSource
from studio.providers.profiles import ProfileSet


class RemixButton(QPushButton):
    def __init__(self) -> None:
        super().__init__("Remix")
        self.setObjectName("remixButton")
        self.source: RemixSource | None = None  # the take revised, as a remix needs it
        self.hide()

    def show_for(self, source: RemixSource | None, profiles: ProfileSet | None) -> None:
        """Offer a remix of `source` (None: no take is revised, no button)."""
        self.source = source
        self.setVisible(source is not None)
        if source is None:
            return
        why = source.why_not(profiles)
        self.setEnabled(why is None)
        self.setToolTip(
            f"Send this prompt as a remix of {source.name}: the provider renders that take's "
            "video again with it (its model, duration and size; no reference image)"
            if why is None
            else f"No remix: {why}"
        )
