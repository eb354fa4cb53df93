"""Who can be chosen on the CAPA and complaint forms: the institution's active staff whose
roles grant a permission (an action's owner needs qms.view to see it; a CAPA's owner
qms.record to lead it)."""

from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.accounts.permissions import ROLE_PERMISSIONS, Perm
from stemhub.core.errors import InvalidInput


def capa_people(institution_id: int, perm: Perm) -> list[User]:
    roles = [role for role, held in ROLE_PERMISSIONS.items() if perm in held]
    return list(
        User.objects.filter(
            institution_id=institution_id, is_active=True, role_grants__role__in=roles
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def person_in(value: str, institution_id: int, field: str) -> User:
    """The institution's user whose id (as a form's list sends it) or username is `value`,
    or InvalidInput on `field`."""
    value = value.strip()
    people = User.objects.filter(institution_id=institution_id)
    found = (
        people.filter(pk=int(value)).first()
        if value.isdigit()
        else people.filter(username=value).first()
        if value
        else None
    )
    if found is None:
        raise InvalidInput(
            _("Choose someone of the institution from the list"), fields={field: [_("unknown")]}
        )
    return found
