"""The settings dialog: clear messages, nothing lost, the key only in the keyring."""

from __future__ import annotations

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from studio.config import secrets
from studio.config.settings import Settings, load_settings, settings_path
from studio.ui.shell.settings_dialog import SettingsDialog
from tests.conftest import MemoryKeyring


def make(qtbot: QtBot, settings: Settings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings())
    qtbot.addWidget(dialog)
    return dialog


def test_a_typo_in_the_base_url_is_explained_and_kept(qtbot: QtBot) -> None:
    dialog = make(qtbot)
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai"))
    dialog.base_url.setText("htps://gateway.example.com/v1")
    dialog.save()
    assert "must start with https://" in dialog.problem.text()
    assert dialog.saved is None
    assert dialog.base_url.text() == "htps://gateway.example.com/v1"
    assert not settings_path().exists()


def test_save_puts_the_key_in_the_keyring_only(qtbot: QtBot, isolated_user: MemoryKeyring) -> None:
    dialog = make(qtbot)
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai"))
    dialog.base_url.setText("https://gateway.example.com/v1")
    dialog.key.setText("sk-live-0123456789abcdef")
    dialog.rpm.setValue(30)
    dialog.daily_cap.setValue(25)
    dialog.save()
    assert dialog.saved is not None
    assert isolated_user.items[("studio", "openai")] == "sk-live-0123456789abcdef"
    text = settings_path().read_text()
    assert "sk-live" not in text
    saved, problem = load_settings()
    assert problem is None
    assert (saved.provider, saved.rpm) == ("openai", 30)
    assert saved.daily_cap is None  # caps live in the library's database, not in settings
    assert dialog.cap() == 25.0
    dialog.daily_cap.lineEdit().selectAll()
    qtbot.keyClick(dialog.daily_cap.lineEdit(), Qt.Key.Key_Backspace)  # emptied: no cap
    assert dialog.cap() is None
    dialog.daily_cap.editingFinished.emit()  # as the focus leaves for Save
    dialog.daily_cap.interpretText()
    assert dialog.cap() is None  # not the value it had before
    again = make(qtbot, saved)
    assert again.key.text() == ""
    assert "…cdef" in again.key.placeholderText()  # never shown back in full


def test_without_a_keyring_the_key_is_kept_for_the_session_and_said_so(qtbot: QtBot) -> None:
    keyring.set_keyring(fail.Keyring())
    dialog = make(qtbot)
    dialog.provider.setCurrentIndex(dialog.provider.findData("openrouter"))
    dialog.key.setText("sk-or-0123456789")
    dialog.save()
    assert dialog.saved is not None
    assert "No secure keyring is available" in dialog.note
    assert secrets.lookup("openrouter") == "sk-or-0123456789"
    assert "sk-or" not in settings_path().read_text()


def test_switching_provider_and_back_keeps_each_ones_fields(qtbot: QtBot) -> None:
    """Switching to a gateway and back to the simulator kept the gateway's URL (and the
    simulator then tried to reach it)."""
    dialog = make(qtbot)
    assert not dialog.base_url.isVisibleTo(dialog)  # the built-in simulator has no address
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai"))
    assert dialog.base_url.isVisibleTo(dialog)
    dialog.base_url.setText("https://gateway.example.com/v1")
    dialog.rpm.setValue(30)
    dialog.models.setText("sora-2, sora-2-pro")
    dialog.provider.setCurrentIndex(dialog.provider.findData("sim"))
    assert dialog.base_url.text() == ""
    assert dialog.rpm.value() == 0
    dialog.save()
    saved = dialog.saved
    assert saved is not None
    assert (saved.provider, saved.base_url) == ("sim", "")
    gateway = saved.connection_for("openai")
    assert (gateway.base_url, gateway.rpm) == ("https://gateway.example.com/v1", 30)
    assert gateway.enabled_models == ("sora-2", "sora-2-pro")
    again = make(qtbot, saved)
    again.provider.setCurrentIndex(again.provider.findData("openai"))
    assert again.base_url.text() == "https://gateway.example.com/v1"
    assert again.models.text() == "sora-2, sora-2-pro"


def test_without_a_keyring_the_key_is_never_said_to_be_saved(qtbot: QtBot) -> None:
    keyring.set_keyring(fail.Keyring())
    dialog = make(qtbot)
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai"))
    dialog.base_url.setText("https://gateway.example.com/v1")
    assert "kept for this session only" in dialog.key.placeholderText()
    dialog.key.setText("sk-live-0123456789abcdef")
    dialog.save()
    assert dialog.saved is not None
    again = make(qtbot, dialog.saved)
    again.provider.setCurrentIndex(again.provider.findData("openai"))
    hint = again.key.placeholderText()
    assert "saved" not in hint
    assert "kept for this session only" in hint
    assert "0123456789" not in hint
