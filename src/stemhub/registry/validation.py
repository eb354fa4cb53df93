"""What a person would expect the registry to refuse in a line record: a standard name whose
type letter contradicts the line's type, an HLA typing the HLA engine rejects (donor's or
line's), dates in the future or out of order.

A line registered here is refused with these problems (`services`); a line imported from
another registry keeps its record as registered there, and the problems are shown as warnings
(its staff page, the import's summary), as the name validator does for legacy names.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.registry import naming
from stemhub.registry.hla_typing import typing_problem
from stemhub.registry.models import CellLine, LineType
from stemhub.registry.naming import HUMAN


@dataclass(frozen=True)
class Problem:
    field: (
        str  # as the services name fields: `hla_typing`, `donor.hla_typing`, `publications[0].year`
    )
    message: str


def _name_problems(line: CellLine) -> list[Problem]:
    if line.line_type not in LineType.values or line.species != HUMAN:
        return []  # an animal line's name is its provider's own, not an hPSCreg standard name
    letter: naming.TypeLetter = "i" if LineType.name_letter(line.line_type) == "i" else "e"
    message = naming.type_letter_problem(line.name, letter)
    return [Problem("name", message)] if message else []


def _hla_problems(line: CellLine) -> list[Problem]:
    found = []
    if message := typing_problem(line.hla_typing):
        found.append(Problem("hla_typing", _("HLA typing of the line: %(m)s") % {"m": message}))
    donor = line.donor
    if donor is not None and (message := typing_problem(donor.hla_typing)):
        found.append(Problem("donor.hla_typing", _("Donor HLA typing: %(m)s") % {"m": message}))
    return found


def _date_problems(line: CellLine) -> list[Problem]:
    today = timezone.localdate()
    found = []
    derived, approved = line.derivation_date, line.ethics_approval_date
    if derived and derived > today:
        found.append(
            Problem(
                "derivation_date",
                _("The derivation date %(date)s is in the future.") % {"date": derived},
            )
        )
    if approved and approved > today:
        found.append(
            Problem(
                "ethics_approval_date",
                _("The ethics approval date %(date)s is in the future.") % {"date": approved},
            )
        )
    if derived and approved and approved > derived and line.species == HUMAN:
        found.append(
            Problem(
                "ethics_approval_date",
                _(
                    "The ethics approval (%(approved)s) comes after the derivation "
                    "(%(derived)s): a human line is derived under an approval given before."
                )
                % {"approved": approved, "derived": derived},
            )
        )
    for index, publication in enumerate(line.publications.order_by("id")):
        year = publication.year
        if year is None:
            continue
        if year > today.year:
            found.append(
                Problem(
                    f"publications[{index}].year",
                    _("Publication year %(year)s is in the future.") % {"year": year},
                )
            )
        elif derived and year < derived.year:
            found.append(
                Problem(
                    f"publications[{index}].year",
                    _("Publication year %(year)s is before the line was derived (%(derived)s).")
                    % {"year": year, "derived": derived},
                )
            )
    return found


def line_problems(line: CellLine) -> list[Problem]:
    """Everything wrong with the line's record as stored (relations read afresh)."""
    return [*_name_problems(line), *_hla_problems(line), *_date_problems(line)]
