"""Forms of the members pages: a new member, and the reason given for a change."""

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from stemhub.accounts.models import Role

# What each role may do, in a sentence a person choosing roles can act on.
ROLE_HELP = {
    Role.RESEARCHER: _("Requests lines from the catalogue and reports back on them."),
    Role.CURATOR: _("Registers lines, reviews and publishes them, and reviews requests."),
    Role.BANK_TECHNICIAN: _("Banks, stores and ships vials; records QC results."),
    Role.QA_MANAGER: _("Releases banks, closes nonconformities and reads the audit trail."),
    Role.SEARCH_COORDINATOR: _("Searches cord blood units for patients."),
    Role.INSTITUTION_ADMIN: _("Manages the institution's members and its records."),
    Role.ACCESS_COMMITTEE: _("Gives the second approval for managed-access lines."),
    Role.DOCUMENT_CONTROLLER: _(
        "Drafts, revises and routes the controlled documents (SOPs, forms, policies) for review."
    ),
    Role.TRAINER: _(
        "Records training, assesses competence with a signature and authorises staff for tasks."
    ),
    Role.PLATFORM_ADMIN: _("Everything, in every institution."),
}


def role_choices(roles: list[tuple[str, StrOrPromise]]) -> list[tuple[str, str]]:
    return [
        (value, gettext("%(role)s: %(help)s") % {"role": label, "help": ROLE_HELP[Role(value)]})
        for value, label in roles
    ]


class MemberForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    name_zh = forms.CharField(
        label=pgettext_lazy("person", "Chinese name"),
        max_length=150,
        required=False,
        help_text=_("Family name first, as one word, e.g. 张伟. Leave empty if they have none."),
    )
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The link to choose a password is sent here.")
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What they type to log in: letters, digits and @ . + - _ only."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, roles: list[tuple[str, StrOrPromise]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["roles"]
        assert isinstance(field, forms.MultipleChoiceField)  # declared above
        field.choices = role_choices(roles)


class MemberNamesForm(forms.Form):
    """A member's names, corrected or completed (a Chinese name added)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    name_zh = MemberForm.base_fields["name_zh"]
