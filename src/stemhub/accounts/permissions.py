"""What each role may do. Every page and endpoint declares one of these permissions.

A permission is held through a role; institution-scoped actions also need the record to belong
to the user's own institution. Platform admins hold every permission everywhere.
"""

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from stemhub.accounts.models import Role
from stemhub.core.errors import Forbidden


class Perm(StrEnum):
    VIEW_INTERNAL = "registry.view_internal"  # unpublished lines and staff pages
    EDIT_LINE = "registry.edit_line"  # create and edit lines, submit them for review
    CURATE = "registry.curate"  # review, return and publish
    SET_AVAILABILITY = "registry.set_availability"  # including recall and withdrawal
    ISSUE_NAMES = "registry.issue_names"  # allocate hPSCreg-style standard names
    MANAGE_MEMBERS = "accounts.manage_members"
    INVENTORY_VIEW = "biobank.view"  # storage, banks, vials, custody history, reports
    INVENTORY_EDIT = "biobank.edit"  # create banks and vials, move, check out, thaw, dispose
    STORAGE_MANAGE = "biobank.manage_storage"  # the container tree and its layouts
    EQUIPMENT_MANAGE = "equipment.manage"  # register, calibration, temperature logs
    AUDIT_VIEW = "audit.view"  # the audit trail and its exports
    QC_RECORD = "quality.record"  # enter QC results, open nonconformities
    QC_RELEASE = "quality.release"  # sign releases, close nonconformities
    CORD_MANAGE = "cordblood.manage"  # a cord blood bank's units and uploads
    CORD_SEARCH = "cordblood.search"  # patients, searches, reservations
    DISTRIBUTION_REVIEW = "distribution.review"  # approve or reject requests for lines
    DISTRIBUTION_SHIP = "distribution.ship"  # allocate, pick and ship vials
    DISTRIBUTION_COMMITTEE = "distribution.committee"  # second approval for managed access
    QMS_VIEW = "qms.view"  # documents in force, one's own training, CAPAs, audits, QC charts
    QMS_RECORD = "qms.record"  # raise CAPAs and complaints, record actions, IQC runs, PT results
    QMS_DOCUMENTS = "qms.documents"  # draft, revise and review controlled documents
    QMS_TRAIN = "qms.train"  # training records, competence assessments, authorisations
    QMS_MANAGE = "qms.manage"  # approve documents, close CAPAs, audits, management review
    POPULATIONS_VIEW = "populations.view"  # frequency sets, predictions' provenance, haplobank
    POPULATIONS_MANAGE = "populations.manage"  # populations, the default, load frequency sets


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.RESEARCHER: frozenset(),
    Role.CURATOR: frozenset(
        {
            Perm.VIEW_INTERNAL,
            Perm.POPULATIONS_VIEW,
            Perm.EDIT_LINE,
            Perm.CURATE,
            Perm.SET_AVAILABILITY,
            Perm.ISSUE_NAMES,
            Perm.INVENTORY_VIEW,
            Perm.DISTRIBUTION_REVIEW,
            Perm.QMS_VIEW,
        }
    ),
    Role.BANK_TECHNICIAN: frozenset(
        {
            Perm.VIEW_INTERNAL,
            Perm.POPULATIONS_VIEW,
            Perm.INVENTORY_VIEW,
            Perm.INVENTORY_EDIT,
            Perm.STORAGE_MANAGE,
            Perm.EQUIPMENT_MANAGE,
            Perm.QC_RECORD,
            Perm.CORD_MANAGE,
            Perm.DISTRIBUTION_SHIP,
            Perm.QMS_VIEW,
            Perm.QMS_RECORD,
        }
    ),
    Role.QA_MANAGER: frozenset(
        {
            Perm.VIEW_INTERNAL,
            Perm.POPULATIONS_VIEW,
            Perm.SET_AVAILABILITY,
            Perm.INVENTORY_VIEW,
            Perm.EQUIPMENT_MANAGE,
            Perm.AUDIT_VIEW,
            Perm.QC_RECORD,
            Perm.QC_RELEASE,
            Perm.QMS_VIEW,
            Perm.QMS_RECORD,
            Perm.QMS_DOCUMENTS,
            Perm.QMS_TRAIN,
            Perm.QMS_MANAGE,
        }
    ),
    Role.DOCUMENT_CONTROLLER: frozenset({Perm.QMS_VIEW, Perm.QMS_DOCUMENTS}),
    Role.TRAINER: frozenset({Perm.QMS_VIEW, Perm.QMS_TRAIN}),
    Role.SEARCH_COORDINATOR: frozenset({Perm.CORD_SEARCH, Perm.QMS_VIEW, Perm.POPULATIONS_VIEW}),
    Role.INSTITUTION_ADMIN: frozenset(
        {
            Perm.VIEW_INTERNAL,
            Perm.POPULATIONS_VIEW,
            Perm.EDIT_LINE,
            Perm.SET_AVAILABILITY,
            Perm.ISSUE_NAMES,
            Perm.MANAGE_MEMBERS,
            Perm.INVENTORY_VIEW,
            Perm.STORAGE_MANAGE,
            Perm.EQUIPMENT_MANAGE,
            Perm.AUDIT_VIEW,
            Perm.CORD_MANAGE,
            Perm.QMS_VIEW,
        }
    ),
    Role.ACCESS_COMMITTEE: frozenset({Perm.DISTRIBUTION_COMMITTEE}),
    Role.PLATFORM_ADMIN: frozenset(Perm),
}


def permissions_of(user: Any) -> frozenset[Perm]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Perm)
    held: set[Perm] = set()
    for role in user.roles:
        held |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(held)


def is_platform_admin(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or Role.PLATFORM_ADMIN in user.roles)
    )


def user_can(user: Any, perm: Perm, institution_id: int | None = None) -> bool:
    """True when the user holds `perm` and, for an institution's record, belongs to it."""
    if perm not in permissions_of(user):
        return False
    if institution_id is None or is_platform_admin(user):
        return True
    return bool(user.institution_id == institution_id)


def require(user: Any, perm: Perm, institution_id: int | None = None) -> None:
    """`user_can` or Forbidden: the check every service makes before it writes."""
    if not user_can(user, perm, institution_id):
        raise Forbidden(
            _("You need the permission %(perm)s for this institution's records.") % {"perm": perm}
        )
