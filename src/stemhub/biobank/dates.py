"""The dates of a bank a user expects to be checked: frozen neither in the future nor before
the line it comes from was derived, nor before the bank it was grown from was frozen."""

from datetime import date

from django.utils.translation import gettext as _

from stemhub.biobank.models import CellBank
from stemhub.core.validation import lab_date_problem
from stemhub.registry.models import CellLine


def freeze_date_problem(
    frozen: date, line: CellLine, *, today: date, parent: CellBank | None = None
) -> str:
    """Why `frozen` cannot be the freeze date of a bank of `line` (grown from `parent`), or
    an empty string when it can."""
    if problem := lab_date_problem(frozen, today=today):
        return _("the freeze date %(problem)s") % {"problem": problem}
    if line.derivation_date is not None and frozen < line.derivation_date:
        return _("the freeze date %(frozen)s is before %(line)s was derived (%(derived)s)") % {
            "frozen": frozen,
            "line": line.name,
            "derived": line.derivation_date,
        }
    if parent is not None and frozen < parent.freeze_date:
        return _(
            "the freeze date %(frozen)s is before the parent bank %(code)s was frozen (%(parent)s)"
        ) % {"frozen": frozen, "code": parent.code, "parent": parent.freeze_date}
    return ""
