"""Settings: provider (each kind with its own connection fields), API key (OS keyring
only), limits, budget, library, reviewer, theme and the player's logo-safe guide.

Nothing is saved until every field is valid; a problem is shown in the dialog and what was
typed stays. The key is never shown back in full, and never said to be saved when it was
only kept for this session.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.config import secrets
from studio.config.settings import THEMES, ConnectionSettings, Settings, save_settings
from studio.core.errors import ConfigError

PROVIDERS = (
    ("sim", "Built-in simulator"),
    ("openai", "OpenAI-shape API (base URL)"),
    ("openrouter", "OpenRouter"),
)


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *, daily_cap: float | None = None
    ) -> None:
        """`daily_cap` is the library's (caps live in its database, not in settings)."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(620)  # room for the hints and a library path
        self.original = settings
        self.saved: Settings | None = None
        self.key_changed = False
        self.at_key = False  # opened to enter the API key: the cursor starts there
        self.note = ""  # shown by the window after the dialog closes
        # Every kind's connection, edited here; the fields show the chosen kind's.
        self._connections = dict(settings.connections)
        self._kind = settings.provider
        self.provider = QComboBox()
        for key, text in PROVIDERS:
            self.provider.addItem(text, key)
        self.provider.setCurrentIndex(max(0, self.provider.findData(settings.provider)))
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("https://gateway.example.com/v1")
        self.models = QLineEdit()
        self.models.setPlaceholderText("only if the server does not list them, e.g. sora-2")
        self.models.setToolTip(
            "Model ids this server serves, comma separated. Used only when it does not "
            "answer GET /models."
        )
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.rpm = _spin(None, 10_000, "provider default")
        self.concurrency = _spin(None, 500, "provider default")
        self.resend_unsure = QCheckBox("Resend unsure creates automatically (may pay twice)")
        self.resend_unsure.setToolTip(
            "When the reply to a create is lost and the provider can neither be asked about "
            "the job nor be trusted with its Idempotency-Key, the job waits for you (Send "
            "again or Forget in the queue). With this on, it is sent again by itself: if the "
            "provider had made it, it renders, and bills, twice."
        )
        self.daily_cap = QDoubleSpinBox()
        self.daily_cap.setRange(0, 1_000_000)
        self.daily_cap.setPrefix("$")
        self.daily_cap.setSpecialValueText("no cap")
        # Emptied, it becomes 0 ("no cap") when the focus leaves (a click on Save), not the
        # value it had before.
        self.daily_cap.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.daily_cap.setToolTip("0 or empty: no cap")
        self.daily_cap.setValue(daily_cap or 0)
        self.library = QLineEdit(settings.library)
        self.library.setPlaceholderText("default: in Studio's data folder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.reviewer = QLineEdit(settings.reviewer)
        self.reviewer.setPlaceholderText(settings.reviewer_name)
        self.theme = QComboBox()
        for name in THEMES:
            self.theme.addItem(name.title(), name)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.logo_safe = QDoubleSpinBox()
        self.logo_safe.setRange(0, 20)
        self.logo_safe.setSuffix(" % of the frame")
        self.logo_safe.setDecimals(1)
        self.logo_safe.setValue(settings.logo_safe_percent)
        self.largest_download = QDoubleSpinBox()
        self.largest_download.setRange(0.01, 1024)
        self.largest_download.setDecimals(2)
        self.largest_download.setSuffix(" GiB")
        self.largest_download.setValue(settings.largest_download_gib)
        self.largest_download.setToolTip(
            "A clip larger than this is not downloaded (one announced larger is refused "
            "before a byte is read); its job says so, and Retry fetches it after a change."
        )
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)

        library_row = QHBoxLayout()
        library_row.addWidget(self.library, 1)
        library_row.addWidget(browse)
        self.form = QFormLayout()
        self.form.addRow("Provider", self.provider)
        self.form.addRow("Base URL", self.base_url)
        self.form.addRow("Models served", self.models)
        self.form.addRow("API key", self.key)
        self.form.addRow("Requests per minute", self.rpm)
        self.form.addRow("Concurrent renders", self.concurrency)
        self.form.addRow("Lost replies", self.resend_unsure)
        self.form.addRow("Daily budget", self.daily_cap)
        self.form.addRow("Library folder", library_row)
        self.form.addRow("Largest download", self.largest_download)
        self.form.addRow("Reviewer name", self.reviewer)
        self.form.addRow("Theme", self.theme)
        self.form.addRow("Logo-safe margin", self.logo_safe)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._show_connection(settings.provider)
        self.provider.currentIndexChanged.connect(self._provider_changed)

    # ---- per-kind connection fields -----------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.at_key:  # once shown (a hidden field takes no focus)
            QTimer.singleShot(0, self.key.setFocus)

    def _read_connection(self) -> ConnectionSettings:
        models = tuple(m.strip() for m in self.models.text().split(",") if m.strip())
        return ConnectionSettings(
            base_url=self.base_url.text().strip() if self._kind != "sim" else "",
            rpm=self.rpm.value() or None,
            max_concurrent=self.concurrency.value() or None,
            enabled_models=models if self._kind == "openai" else (),
            resend_unsure=self.resend_unsure.isChecked(),
        )

    def _show_connection(self, kind: str) -> None:
        self._kind = kind
        conn = self._connections.get(kind) or ConnectionSettings()
        self.base_url.setText(conn.base_url)
        self.models.setText(", ".join(conn.enabled_models))
        self.rpm.setValue(conn.rpm or 0)
        self.concurrency.setValue(conn.max_concurrent or 0)
        self.resend_unsure.setChecked(conn.resend_unsure)
        # The built-in simulator runs here: no address to give, no key to keep.
        self.form.setRowVisible(self.base_url, kind != "sim")
        self.form.setRowVisible(self.models, kind == "openai")
        self.key.setEnabled(kind != "sim")
        self.key.setPlaceholderText(self._key_hint(kind))

    def _provider_changed(self) -> None:
        self._connections[self._kind] = self._read_connection()
        self._show_connection(str(self.provider.currentData()))

    def _key_hint(self, kind: str) -> str:
        if kind == "sim":
            return "not needed"
        if secrets.kept_for_session(kind):
            return "kept for this session only (no keyring); type to replace"
        stored = secrets.lookup(kind)
        if stored:
            return f"saved in the keyring ({secrets.mask(stored)}); type to replace"
        if not secrets.keyring_available():
            return "paste the key; without a keyring it is kept for this session only"
        return "paste the key; it goes to the OS keyring"

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder", self.library.text())
        if folder:
            self.library.setText(folder)

    # ---- saving ---------------------------------------------------------------------------

    def values(self) -> Settings:
        connections = {**self._connections, self._kind: self._read_connection()}
        return dataclasses.replace(
            self.original,
            provider=self._kind,
            connections=connections,
            daily_cap=None,  # kept in the library's database: see `cap()`
            library=self.library.text().strip(),
            reviewer=self.reviewer.text().strip(),
            theme=str(self.theme.currentData()),
            logo_safe_percent=self.logo_safe.value(),
            largest_download_gib=self.largest_download.value(),
        )

    def cap(self) -> float | None:
        """The daily cap as set here (None: no cap)."""
        if not self.daily_cap.cleanText().strip():  # emptied: the spin box would keep its
            return None  # last value, but the person asked for no cap
        return self.daily_cap.value() or None

    def save(self) -> None:
        settings = self.values()
        problems = settings.problems()
        if problems:
            self.problem.setText(problems[0])  # the dialog stays open with what was typed
            return
        key = self.key.text().strip()
        note = ""
        if key:
            try:
                secrets.store(settings.provider, key)
            except secrets.NoKeyring as err:
                note = str(err)  # kept for this session only, and the user is told so
            except ConfigError as err:
                self.problem.setText(str(err))
                return
        save_settings(settings)
        self.saved = settings
        self.key_changed = bool(key)
        self.key.clear()
        self.note = note
        self.accept()


def _spin(value: int | None, maximum: int, zero_text: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setSpecialValueText(zero_text)
    box.setValue(value or 0)
    return box
