"""Settings: provider, API key (OS keyring only), limits, budget, library, reviewer.

Nothing is saved until every field is valid; a problem is shown in the dialog and what was
typed stays. The key is never shown back in full.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
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

from studio import secrets
from studio.errors import ConfigError
from studio.settings import Settings, save_settings

PROVIDERS = (
    ("sim", "Built-in simulator"),
    ("openai", "OpenAI-shape API (base URL)"),
    ("openrouter", "OpenRouter"),
)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.saved: Settings | None = None
        self.note = ""  # shown by the window after the dialog closes
        self.provider = QComboBox()
        for key, text in PROVIDERS:
            self.provider.addItem(text, key)
        self.provider.setCurrentIndex(max(0, self.provider.findData(settings.provider)))
        self.base_url = QLineEdit(settings.base_url)
        self.base_url.setPlaceholderText("https://gateway.example.com/v1")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.rpm = _spin(settings.rpm, 10_000, "provider default")
        self.concurrency = _spin(settings.max_concurrent, 500, "provider default")
        self.daily_cap = QDoubleSpinBox()
        self.daily_cap.setRange(0, 1_000_000)
        self.daily_cap.setPrefix("$")
        self.daily_cap.setSpecialValueText("no cap")
        self.daily_cap.setValue(settings.daily_cap or 0)
        self.library = QLineEdit(settings.library)
        self.library.setPlaceholderText("default: in Studio's data folder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.reviewer = QLineEdit(settings.reviewer)
        self.reviewer.setPlaceholderText(settings.reviewer_name)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828;")

        library_row = QHBoxLayout()
        library_row.addWidget(self.library, 1)
        library_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow("Base URL", self.base_url)
        form.addRow("API key", self.key)
        form.addRow("Requests per minute", self.rpm)
        form.addRow("Concurrent renders", self.concurrency)
        form.addRow("Daily budget", self.daily_cap)
        form.addRow("Library folder", library_row)
        form.addRow("Reviewer name", self.reviewer)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self._provider_changed()

    def _provider_changed(self) -> None:
        kind = self.provider.currentData()
        needs_key = kind != "sim"
        self.key.setEnabled(needs_key)
        stored = secrets.lookup(kind) if needs_key else None
        self.key.setPlaceholderText(
            f"saved ({secrets.mask(stored)}); type to replace"
            if stored
            else ("not needed" if not needs_key else "paste the key; it goes to the OS keyring")
        )

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder", self.library.text())
        if folder:
            self.library.setText(folder)

    def values(self) -> Settings:
        return Settings(
            provider=str(self.provider.currentData()),
            base_url=self.base_url.text().strip(),
            rpm=self.rpm.value() or None,
            max_concurrent=self.concurrency.value() or None,
            daily_cap=self.daily_cap.value() or None,
            library=self.library.text().strip(),
            reviewer=self.reviewer.text().strip(),
        )

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
        self.key.clear()
        self.note = note
        self.accept()


def _spin(value: int | None, maximum: int, zero_text: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setSpecialValueText(zero_text)
    box.setValue(value or 0)
    return box
