"""The dates of a bank a user expects to be checked: frozen neither in the future nor before
the line it comes from was derived, nor before the bank it was grown from was frozen."""

from datetime import date

from stemhub.biobank.models import CellBank
from stemhub.core.validation import lab_date_problem
from stemhub.registry.models import CellLine


def freeze_date_problem(
    frozen: date, line: CellLine, *, today: date, parent: CellBank | None = None
) -> str:
    """Why `frozen` cannot be the freeze date of a bank of `line` (grown from `parent`), or
    an empty string when it can."""
    if problem := lab_date_problem(frozen, today=today):
        return f"the freeze date {problem}"
    if line.derivation_date is not None and frozen < line.derivation_date:
        return (
            f"the freeze date {frozen} is before {line.name} was derived ({line.derivation_date})"
        )
    if parent is not None and frozen < parent.freeze_date:
        return (
            f"the freeze date {frozen} is before the parent bank {parent.code} was frozen "
            f"({parent.freeze_date})"
        )
    return ""
