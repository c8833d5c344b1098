"""Placeholder replaced in the next step."""


def main() -> int:
    return 0
