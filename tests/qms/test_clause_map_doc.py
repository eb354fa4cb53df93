"""docs/qms.md states the clause map an assessor reads; qms/dashboard.py states the one the
dashboard shows. They must name the same clauses, and every in-scope clause of the catalogue
must be in both."""

import re
from pathlib import Path

from stemhub.qms.clauses import IN_SCOPE_IDS
from stemhub.qms.dashboard import CLAUSE_MAP

DOC = Path(__file__).resolve().parents[2] / "docs" / "qms.md"


def documented_clauses() -> list[str]:
    table = DOC.read_text().split("## Clause map", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| (\d+(?:\.\d+)?) \|", table, flags=re.M)


def test_the_document_and_the_dashboard_map_the_same_clauses_in_order():
    assert documented_clauses() == [entry.clause for entry in CLAUSE_MAP]


def test_every_in_scope_clause_is_mapped():
    assert set(IN_SCOPE_IDS) == {entry.clause for entry in CLAUSE_MAP}
