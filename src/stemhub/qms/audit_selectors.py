"""Reads of the audit programme and management reviews: what a user may see, what is due."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.core.errors import NotFound
from stemhub.qms.models import Audit, AuditStatus, ManagementReview

DUE_WITHIN_DAYS = 30


def visible_audits(user: Any) -> QuerySet[Audit]:
    """Audits of the user's institution (every institution's for platform admins), to holders
    of qms.view."""
    if not user_can(user, Perm.QMS_VIEW):
        return Audit.objects.none()
    audits = Audit.objects.select_related("institution", "lead_auditor", "report_signature")
    if is_platform_admin(user):
        return audits
    return audits.filter(institution_id=user.institution_id)


def audit_or_404(user: Any, pk: int) -> Audit:
    found = visible_audits(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No audit #%(pk)s that you may see") % {"pk": pk})
    return found


def visible_reviews(user: Any) -> QuerySet[ManagementReview]:
    if not user_can(user, Perm.QMS_VIEW):
        return ManagementReview.objects.none()
    reviews = ManagementReview.objects.select_related("institution", "signature", "recorded_by")
    if is_platform_admin(user):
        return reviews
    return reviews.filter(institution_id=user.institution_id)


def review_or_404(user: Any, pk: int) -> ManagementReview:
    found = visible_reviews(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No management review #%(pk)s that you may see") % {"pk": pk})
    return found


def audits_due(
    audits: QuerySet[Audit], *, today: datetime.date, within_days: int = DUE_WITHIN_DAYS
) -> list[Audit]:
    """Planned audits overdue to start or due within `within_days`, soonest first."""
    horizon = today + datetime.timedelta(days=within_days)
    return list(
        audits.filter(status=AuditStatus.PLANNED, planned_on__lte=horizon).order_by(
            "planned_on", "id"
        )
    )


def reports_awaiting_approval(audits: QuerySet[Audit]) -> list[Audit]:
    return list(
        audits.filter(status=AuditStatus.IN_PROGRESS, report_submitted_at__isnull=False).order_by(
            "report_submitted_at", "id"
        )
    )


def auditor_candidates(institution_id: int) -> list[User]:
    """Active members of the institution who may read the quality system."""
    members = User.objects.filter(institution_id=institution_id, is_active=True).order_by(
        "last_name", "first_name", "username"
    )
    return [m for m in members if user_can(m, Perm.QMS_VIEW, institution_id)]
