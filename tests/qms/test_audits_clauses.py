"""The ISO 20387:2018 clause catalogue: numbering, lookup, and the default checklists."""

from django.utils import translation

from stemhub.qms import clauses
from stemhub.qms.audits import default_checklist


def test_the_catalogue_holds_the_clauses_the_programme_must_cover():
    wanted = {"6.2", "6.3", "6.4", "6.5", "8.3", "8.4", "8.5", "8.6", "8.7", "8.8", "8.9"}
    wanted |= {f"7.{n}" for n in range(2, 14)}
    assert wanted <= set(clauses.IN_SCOPE_IDS)


def test_clauses_are_unique_and_in_the_standards_order():
    ids = [c.id for c in clauses.CLAUSES]
    assert len(ids) == len(set(ids))
    as_numbers = [tuple(int(part) for part in i.split(".")) for i in ids]
    assert as_numbers == sorted(as_numbers)


def test_organisational_clauses_are_flagged_out_of_scope_and_have_no_questions():
    for clause_id in ("4.1", "5", "6.1", "7.1", "8.1"):
        found = clauses.clause(clause_id)
        assert found is not None and not found.in_scope and not found.questions


def test_every_clause_in_scope_has_questions_in_both_languages():
    for found in clauses.CLAUSES:
        if found.in_scope:
            assert found.questions, found.id
            assert all(q.en.endswith("?") and q.zh.endswith("？") for q in found.questions)
            assert found.title_en and found.title_zh


def test_lookup_answers_none_for_a_number_that_is_not_a_clause():
    assert clauses.clause("7.10").title_en == "Data and information management"
    assert clauses.clause("7.14") is None
    assert clauses.unknown_clauses(["6.5", "9.1", "x"]) == ["9.1", "x"]
    assert clauses.clause_title("9.9") == "9.9"


def test_a_clauses_title_follows_the_active_language():
    with translation.override("zh-hans"):
        assert clauses.clause_title("8.8") == "8.8 内部审核"
    with translation.override("en"):
        assert clauses.clause_title("8.8") == "8.8 Internal audits"


def test_the_default_checklist_asks_every_question_of_the_chosen_clauses_in_order():
    items = default_checklist(["8.3", "6.5", "5"])
    assert [c for c, _en, _zh in items] == ["8.3"] * 3 + ["6.5"] * 3
    assert items[0][1] == clauses.clause("8.3").questions[0].en
