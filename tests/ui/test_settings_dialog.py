"""The settings dialog: clear messages, nothing lost, the key only in the keyring."""

from __future__ import annotations

import keyring
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from studio import secrets
from studio.settings import Settings, load_settings, settings_path
from studio.ui.settings_dialog import SettingsDialog
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
    assert (saved.provider, saved.rpm, saved.daily_cap) == ("openai", 30, 25.0)
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
