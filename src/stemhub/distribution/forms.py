"""Parsing of the distribution forms: plain values from POST data. A `Form` reads every field
before it complains, so the page shows all the problems at once, each on the field it names."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext, ngettext

from stemhub.core.errors import InvalidInput

Data = QueryDict | dict[str, Any]


class Form:
    """`form.text("courier", label)` and friends return the parsed value (or a harmless
    placeholder) and note what is wrong; `form.check()` raises one InvalidInput naming every
    field with a problem."""

    def __init__(self, data: Data) -> None:
        self.data = data
        self.problems: dict[str, list[str]] = {}

    def _raw(self, name: str) -> str:
        return str(self.data.get(name, "") or "").strip()

    def problem(self, name: str, message: str) -> None:
        self.problems.setdefault(name, []).append(message)

    def text(self, name: str, label: str, *, required: bool = True, max_length: int = 0) -> str:
        value = self._raw(name)
        if required and not value:
            self.problem(name, gettext("Fill in %(label)s.") % {"label": label})
        elif max_length and len(value) > max_length:
            self.problem(
                name,
                gettext("%(label)s is %(length)d characters long; keep it to %(limit)d.")
                % {"label": label.capitalize(), "length": len(value), "limit": max_length},
            )
        return value

    def integer(self, name: str, label: str, *, low: int, high: int) -> int:
        value = self._raw(name)
        try:
            number = int(value)
        except ValueError:
            self.problem(name, gettext("Give %(label)s as a whole number.") % {"label": label})
            return low
        if not low <= number <= high:
            self.problem(
                name,
                gettext("%(label)s must be from %(low)d to %(high)d.")
                % {"label": label.capitalize(), "low": low, "high": high},
            )
        return number

    def decimal(self, name: str, label: str) -> Decimal:
        value = self._raw(name)
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.problem(name, gettext("Give %(label)s as a number.") % {"label": label})
            return Decimal(0)
        return number

    def day(self, name: str, label: str) -> date:
        """A date that must be given; a problem otherwise (the placeholder returned then never
        reaches a service: `check` raises first)."""
        found = self.optional_day(name, label)
        if found is None:
            if not self.problems.get(name):
                self.problem(name, gettext("Fill in %(label)s.") % {"label": label})
            return date.min
        return found

    def optional_day(self, name: str, label: str) -> date | None:
        value = self._raw(name)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(name, gettext("Give %(label)s as a date (YYYY-MM-DD).") % {"label": label})
            return None

    def choice(self, name: str, label: str, choices: list[str]) -> str:
        value = self._raw(name)
        if value not in choices:
            self.problem(name, gettext("Choose %(label)s from the list.") % {"label": label})
        return value

    def check(self) -> None:
        if self.problems:
            count = len(self.problems)
            raise InvalidInput(
                ngettext(
                    "One field needs correcting: see below.",
                    "%(count)d fields need correcting: see below.",
                    count,
                )
                % {"count": count},
                fields=self.problems,
            )


def decision(data: Data) -> bool:
    value = str(data.get("decision", ""))
    if value not in ("approve", "reject"):
        raise InvalidInput(
            gettext("Press Approve or Reject."),
            fields={"decision": [gettext("approve or reject")]},
        )
    return value == "approve"
