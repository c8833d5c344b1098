"""'Not a name': a learned name a person dismissed for a template is stored by the library's
operations (one transaction, one change), holds for every version of that template and for
no other, and survives reopening the library."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.library.ops import NAMES, LibraryChange, ops_for
from studio.store import Store

SLOTS = {"subject": "a red fox", "action": "trots"}


def test_a_dismissed_name_holds_for_every_version_of_its_template(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    ops = ops_for(store)
    told: list[LibraryChange] = []
    ops.listen(told.append)
    first = ops.save_template("spring", "speaker", "demo", SLOTS, note="first")
    other = ops.save_template("spring", "speaker", "social", SLOTS, note="another")
    told.clear()

    ops.not_a_name(first.id, "zorblax quinn")
    ops.not_a_name(first.id, "zorblax quinn")  # said twice: kept once
    assert told == [LibraryChange(frozenset({NAMES}))] * 2
    second = ops.save_template("spring", "speaker", "demo", SLOTS, note="second")
    assert second.version == 2
    assert store.not_names.for_template(first.id) == {"zorblax quinn"}
    assert store.not_names.for_template(second.id) == {"zorblax quinn"}  # a new version too
    assert store.not_names.for_template(other.id) == frozenset()  # not another template
    store.close()

    reopened = Store(tmp_path / "s.db")
    assert reopened.not_names.for_template(second.id) == {"zorblax quinn"}
    reopened.close()


@pytest.mark.parametrize("term", ["", "   ", "x" * 201])
def test_a_bad_term_is_refused_and_nothing_is_told(tmp_path: Path, term: str) -> None:
    store = Store(tmp_path / "s.db")
    ops = ops_for(store)
    template = ops.save_template("c", "p", "u", SLOTS, note="")
    told: list[LibraryChange] = []
    ops.listen(told.append)
    with pytest.raises(ValueError, match="1 to 200 characters"):
        ops.not_a_name(template.id, term)
    assert told == []
    assert store.not_names.for_template(template.id) == frozenset()
    store.close()
