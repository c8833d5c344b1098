"""The machine pre-screen: cheap checks on a clip's frames and sound (black, frozen,
flicker, blur, silence; duration, size and frame rate against what was asked), each flag
with its time codes and its measurement against a threshold from resources/prescreen.toml.

    thresholds  the file, checked field by field
    expected    what the take was asked to be (its stored spec and model profile)
    reading     one decode pass: per-frame luma figures and per-audio-frame loudness
    checks      one function per check
    screen      a clip → its `Screening` (studio.core.flags)
    pool        the worker process the app screens in (never the GUI thread or the loop)

Flags never score or decide anything.
"""
