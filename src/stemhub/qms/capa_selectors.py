"""Reads of CAPAs and complaints: what a user may see, the record a closure signs, whether a
closure's signature still binds, and the overdue queues of the home page."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.core.errors import NotFound
from stemhub.qms.models import Capa, CapaAction, CapaStatus, Complaint
from stemhub.quality.selectors import record_hash


def _scoped(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if Perm.QMS_VIEW not in permissions_of(user):
        return queryset.none()
    if is_platform_admin(user):
        return queryset
    return queryset.filter(institution_id=user.institution_id)


def visible_capas(user: Any) -> QuerySet[Capa]:
    """The CAPAs of the user's institution (every institution's for platform admins), with
    qms.view; none without it."""
    return _scoped(user, Capa.objects.all()).select_related("owner", "institution", "raised_by")


def overdue_first(found: QuerySet[Capa], today: datetime.date) -> QuerySet[Capa]:
    """Open CAPAs past their due date first (most overdue first), then the other open ones by
    due date, then the closed ones, newest first."""
    return found.annotate(
        rank=Case(
            When(Q(due_on__lt=today) & ~Q(status=CapaStatus.CLOSED), then=Value(0)),
            When(~Q(status=CapaStatus.CLOSED), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        late_actions=Exists(
            CapaAction.objects.filter(capa=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
        ),
    ).order_by("rank", F("closed_at").desc(nulls_last=True), "due_on", "-pk")


def overdue_capas(found: QuerySet[Capa], today: datetime.date) -> QuerySet[Capa]:
    """Open CAPAs past their due date, or with an action not done past its due date."""
    late = CapaAction.objects.filter(capa=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
    return found.exclude(status=CapaStatus.CLOSED).filter(Q(due_on__lt=today) | Exists(late))


def capa_for(user: Any, pk: int) -> Capa:
    found = visible_capas(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No CAPA %(n)s that you may see") % {"n": pk})
    return found


def action_for(user: Any, pk: int) -> CapaAction:
    found = (
        CapaAction.objects.select_related("capa__owner", "owner", "evidence_file")
        .filter(pk=pk, capa__in=visible_capas(user))
        .first()
    )
    if found is None:
        raise NotFound(_("No CAPA action %(n)s that you may see") % {"n": pk})
    return found


def actions_waiting_for(user: Any, today: datetime.date, within_days: int = 14) -> list[CapaAction]:
    """The actions not done that the user owns, or that belong to a CAPA the user owns, due
    within `within_days` or overdue, soonest first; actions of closed CAPAs never wait."""
    if not getattr(user, "is_authenticated", False):
        return []
    horizon = today + datetime.timedelta(days=within_days)
    return list(
        CapaAction.objects.filter(
            Q(owner_id=user.pk) | Q(capa__owner_id=user.pk),
            done_at__isnull=True,
            due_on__lte=horizon,
            capa__status=CapaStatus.ACTIONS,
        )
        .select_related("capa", "owner")
        .order_by("due_on", "pk")
    )


# What the owner does next in each state where the CAPA waits for them (the effectiveness
# check waits for QA, but the owner answers for its outcome).
OWNER_STEPS = (CapaStatus.OPEN, CapaStatus.INVESTIGATION, CapaStatus.EFFECTIVENESS)


def capas_waiting_for(user: Any) -> list[Capa]:
    """The CAPAs the user owns that wait for them: open, under investigation, awaiting the
    effectiveness check, or with every action done and no effectiveness check planned yet;
    soonest due (so the overdue) first."""
    if not getattr(user, "is_authenticated", False):
        return []
    pending = CapaAction.objects.filter(capa=OuterRef("pk"), done_at__isnull=True)
    return list(
        Capa.objects.filter(owner_id=user.pk)
        .filter(
            Q(status__in=OWNER_STEPS)
            # Every action is done (a CAPA under way has at least one).
            | (Q(status=CapaStatus.ACTIONS) & ~Exists(pending))
        )
        .order_by("due_on", "pk")
    )


def visible_complaints(user: Any) -> QuerySet[Complaint]:
    return _scoped(user, Complaint.objects.all()).select_related(
        "institution", "capa", "recorded_by"
    )


def complaint_for(user: Any, pk: int) -> Complaint:
    found = visible_complaints(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No complaint %(n)s that you may see") % {"n": pk})
    return found


# The record a closure signs


def _when(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _who(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def capa_record(capa: Capa) -> dict[str, Any]:
    """The whole CAPA as one canonical dict: what a closure signs and what verification
    recomputes. Everything a person decided is in it; the row's status is not (it changes by
    the closure itself)."""
    actions = capa.actions.select_related("owner", "done_by", "evidence_file").order_by("pk")
    return {
        "capa": capa.number,
        "institution": capa.institution.provider_code,
        "source": capa.source,
        "source_id": capa.source_id,
        "source_label": capa.source_label,
        "title": capa.title,
        "description": capa.description,
        "owner": _who(capa.owner),
        "due_on": _when(capa.due_on),
        "raised_by": _who(capa.raised_by),
        "raised_at": _when(capa.raised_at),
        "problem_statement": capa.problem_statement,
        "containment": capa.containment,
        "root_cause": capa.root_cause,
        "five_whys": list(capa.five_whys),
        "fishbone": dict(capa.fishbone),
        "actions": [
            {
                "id": a.pk,
                "kind": a.kind,
                "description": a.description,
                "owner": _who(a.owner),
                "due_on": _when(a.due_on),
                "done_at": _when(a.done_at),
                "done_by": _who(a.done_by),
                "done_note": a.done_note,
                "evidence": a.evidence,
                "evidence_file_sha256": a.evidence_file.sha256 if a.evidence_file else None,
            }
            for a in actions
        ],
        "effectiveness": {
            "criteria": capa.effectiveness_criteria,
            "due_on": _when(capa.effectiveness_due_on),
            "result": capa.effectiveness_result,
            "note": capa.effectiveness_note,
            "verified_by": _who(capa.effectiveness_verified_by),
            "verified_at": _when(capa.effectiveness_verified_at),
        },
        "closure_summary": capa.closure_summary,
        "closed_at": _when(capa.closed_at),
    }


@dataclass(frozen=True)
class ClosureCheck:
    """Whether the closed CAPA still hashes as signed, and what differs when it does not."""

    intact: bool
    signed_hash: str
    current_hash: str
    changes: list[str]


def capa_signature_verify(capa: Capa) -> ClosureCheck | None:
    """None for a CAPA not closed; else recompute the hash of the CAPA as it is now and compare
    it with the signature's (and the stored copy of the record with its own hash)."""
    signature = capa.closure_signature
    if signature is None:
        return None
    stored_ok = hashlib.sha256(signature.record.encode()).hexdigest() == signature.record_hash
    signed = json.loads(signature.record)
    now = capa_record(capa)
    changes = [key for key in sorted(set(signed) | set(now)) if signed.get(key) != now.get(key)]
    if not stored_ok:
        changes.insert(0, _("the stored copy of the signed record does not match its hash"))
    current = record_hash(now)
    return ClosureCheck(
        intact=stored_ok and current == signature.record_hash,
        signed_hash=signature.record_hash,
        current_hash=current,
        changes=changes,
    )


def capa_url(capa: Any) -> str:
    """The CAPA's page ("" for no CAPA)."""
    return reverse("qms:capa_detail", args=[capa.pk]) if capa is not None else ""
