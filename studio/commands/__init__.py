"""The headless commands, each in its own module, imported only when it is run (so the
launcher that opens the window loads none of their machinery)."""
