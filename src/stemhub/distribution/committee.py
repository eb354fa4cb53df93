"""Who gives the second approval a managed-access line needs: the provider's access committee
(role `access_committee`, permission `distribution.committee`), or a platform admin."""

from typing import Any

from stemhub.accounts.permissions import Perm, user_can


def is_committee_member(user: Any, institution_id: int) -> bool:
    return user_can(user, Perm.DISTRIBUTION_COMMITTEE, institution_id)
