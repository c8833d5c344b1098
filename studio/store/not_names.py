"""Learned names a person said are not names, per template (the linter's "Not a name").

Said on one version of a template, it holds for every version of that template (the same
campaign, product and use case): a new version does not bring the warning back.
"""

from __future__ import annotations

from studio.store.db import Database


class NotNameRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, template_id: int, term: str, *, at: float) -> None:
        with self.db.write() as tx:
            tx.execute(
                "INSERT INTO not_names (template_id, term, at) VALUES (?, ?, ?) "
                "ON CONFLICT (template_id, term) DO UPDATE SET at = excluded.at",
                (template_id, term, at),
            )

    def for_template(self, template_id: int) -> frozenset[str]:
        """The terms said for any version of this template."""
        rows = self.db.query(
            "SELECT DISTINCT n.term FROM templates me "
            "JOIN templates t ON t.campaign = me.campaign AND t.product = me.product "
            "AND t.use_case = me.use_case "
            "JOIN not_names n ON n.template_id = t.id WHERE me.id = ?",
            (template_id,),
        )
        return frozenset(str(r[0]) for r in rows)
