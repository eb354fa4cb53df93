"""Competence gating (ISO 20387 6.2.3): regulated work is done only by people authorised for
it under the document version in force.

A task is gated at an institution once a controlled document governs it there
(`TaskProcedure`); until then the QA dashboard lists it as ungoverned. Under a governing
document, a person may do the task when all of these hold, and is told each one that does not:

- a version of the document is in force (effective);
- they hold an authorisation for the task that has started, has not expired and is not revoked;
- they acknowledged reading ("read and understood") the version in force;
- where that version's approver required retraining, they have a training record on it.

Services call `require_authorised` after `require` (the permission) and before they write; the
API answers its `Forbidden` with 403 and the page shows the same sentence.
"""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.core.errors import Forbidden
from stemhub.qms.documents import document_bring_into_force
from stemhub.qms.models import (
    Acknowledgement,
    Authorisation,
    DocumentVersion,
    Task,
    TaskProcedure,
    TrainingRecord,
    VersionStatus,
)


def version_in_force(institution_id: int, task: str) -> tuple[bool, DocumentVersion | None]:
    """(governed, effective version): whether a document governs the task at the institution,
    and its version in force (None when none is)."""
    procedure = (
        TaskProcedure.objects.filter(institution_id=institution_id, task=task)
        .select_related("document")
        .first()
    )
    if procedure is None:
        return False, None
    # A version approved for a date that has come is put in force first (idempotent).
    document_bring_into_force(document=procedure.document)
    version = (
        DocumentVersion.objects.filter(
            document_id=procedure.document_id, status=VersionStatus.EFFECTIVE
        )
        .select_related("document")
        .first()
    )
    return True, version


def authorisation_gaps(
    user: Any, task: str, institution_id: int, *, today: datetime.date | None = None
) -> list[str]:
    """What stops `user` doing `task` at the institution, each as a sentence; [] when nothing
    does (or the task is not governed there)."""
    governed, version = version_in_force(institution_id, task)
    if not governed:
        return []
    if version is None:
        return [_("no version of its procedure is in force")]
    today = today or timezone.localdate()
    gaps: list[str] = []
    held = Authorisation.objects.filter(user_id=user.pk, task=task)
    if not held.filter(
        revoked_at__isnull=True, valid_from__lte=today, expires_on__gte=today
    ).exists():
        latest = held.order_by("-expires_on").first()
        if latest is None:
            gaps.append(_("you hold no authorisation for it"))
        elif latest.revoked_at is not None:
            gaps.append(
                _("your authorisation was revoked on %(day)s")
                % {"day": f"{latest.revoked_at:%Y-%m-%d}"}
            )
        elif latest.valid_from > today:
            gaps.append(
                _("your authorisation starts on %(day)s") % {"day": f"{latest.valid_from:%Y-%m-%d}"}
            )
        else:
            gaps.append(
                _("your authorisation expired on %(day)s")
                % {"day": f"{latest.expires_on:%Y-%m-%d}"}
            )
    if not Acknowledgement.objects.filter(version=version, user_id=user.pk).exists():
        gaps.append(_("you have not acknowledged reading %(version)s") % {"version": version.label})
    if (
        version.retraining_required
        and not TrainingRecord.objects.filter(document_version=version, user_id=user.pk).exists()
    ):
        gaps.append(_("you have no training record on %(version)s") % {"version": version.label})
    return gaps


class NotAuthorised(Forbidden):
    """403 with its own code, so that a script can tell a competence gap from a missing role."""

    code = "not_authorised"


def require_authorised(actor: Any, task: str, institution_id: int) -> None:
    """Pass, or NotAuthorised naming every gap (`fields["competence"]`)."""
    gaps = authorisation_gaps(actor, task, institution_id)
    if gaps:
        raise NotAuthorised(
            _("%(task)s needs an authorisation under the procedure in force: %(gaps)s")
            % {"task": Task(task).label, "gaps": "; ".join(gaps)},
            fields={"competence": gaps},
        )
