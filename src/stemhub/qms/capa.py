"""CAPA's workflow (ISO 20387 8.7 corrective action, 8.6 improvement): opening (the one door
every source uses: a nonconformity, a deviation, an excursion, a complaint, an audit finding, a
failed proficiency test, a Westgard violation, a recall), investigation, actions, effectiveness
check and closure by electronic signature.

    open ─► investigation ─► actions ─► effectiveness ─► closed
                                 ▲             │
                                 └─ not effective (with a new action)

Each step is a service here; each checks the state it starts from (409 naming the state when
it does not hold), locks the CAPA, and writes a `CapaEvent`. A closed CAPA stays closed: there
is no reopening; a recurrence opens a new CAPA.

Who may act: qms.record opens; the CAPA's owner (holding qms.record) or a QA manager
(qms.manage) investigates, adds actions and plans the effectiveness check; an action's owner,
the CAPA's owner or QA completes an action; QA records the effectiveness verdict, reassigns and
closes (signed, meaning "CAPA closure approved").
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stemhub.accounts.models import Role, User
from stemhub.accounts.permissions import Perm, is_platform_admin, require, user_can
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean
from stemhub.core.names import Said
from stemhub.core.validation import text_problem
from stemhub.qms.capa_selectors import capa_record
from stemhub.qms.files import document_file_store
from stemhub.qms.models import (
    ActionKind,
    Capa,
    CapaAction,
    CapaEvent,
    CapaEventKind,
    CapaSource,
    CapaStatus,
    EffectivenessResult,
    FishboneCategory,
)
from stemhub.qms.signing import signature_write, signing_password_check
from stemhub.quality.models import Signature

DEFAULT_DAYS_TO_CLOSE = 30
MAX_WHYS = 10
MAX_CAUSES_PER_CATEGORY = 20
MAX_CAUSE_LENGTH = 500


# Opening


def capa_open(
    *,
    actor: Any,
    institution_id: int,
    source: str,
    title: str | Said,
    description: str | Said,
    source_id: int | None = None,
    source_label: str = "",
    owner: Any = None,
    due_on: datetime.date | None = None,
) -> Capa:
    """Open a CAPA, or return the one already open for the same source record (a record opens
    at most one). Needs qms.record in the institution; the owner defaults to the actor (or, for
    a platform admin of another institution, to the institution's QA manager) and the due date
    to 30 days from today."""
    require(actor, Perm.QMS_RECORD, institution_id)
    return _open(
        raised_by=actor,
        institution_id=institution_id,
        source=source,
        title=title,
        description=description,
        source_id=source_id,
        source_label=source_label,
        owner=owner or _default_owner(actor, institution_id),
        due_on=due_on,
        reason=f"CAPA from {source}",
    )


def capa_open_by_platform(
    *,
    raised_by: Any,
    institution_id: int,
    source: str,
    title: str | Said,
    description: str | Said,
    source_id: int | None = None,
    source_label: str = "",
    owner: Any = None,
    due_on: datetime.date | None = None,
) -> Capa:
    """Open a CAPA as a consequence of work another service did and authorised (a recall by
    a curator, a rule violation found by the platform), for someone who need not hold
    qms.record. The caller has checked its own permission; `raised_by` is the person whose
    action raised it (recorded as such), in the institution. The owner defaults to the
    institution's QA manager (else `raised_by`). Same idempotence as `capa_open`."""
    if getattr(raised_by, "institution_id", None) != institution_id and not is_platform_admin(
        raised_by
    ):
        raise Forbidden(_("A CAPA is raised in the institution of the person who raised it."))
    return _open(
        raised_by=raised_by,
        institution_id=institution_id,
        source=source,
        title=title,
        description=description,
        source_id=source_id,
        source_label=source_label,
        owner=owner or _quality_manager(institution_id) or raised_by,
        due_on=due_on,
        reason=f"CAPA raised by the platform from {source}",
    )


def _default_owner(actor: Any, institution_id: int) -> Any:
    if getattr(actor, "institution_id", None) == institution_id:
        return actor
    return _quality_manager(institution_id) or actor


def _quality_manager(institution_id: int) -> User | None:
    return (
        User.objects.filter(
            institution_id=institution_id, is_active=True, role_grants__role=Role.QA_MANAGER
        )
        .order_by("pk")
        .first()
    )


def _open(
    *,
    raised_by: Any,
    institution_id: int,
    source: str,
    title: str | Said,
    description: str | Said,
    source_id: int | None,
    source_label: str,
    owner: Any,
    due_on: datetime.date | None,
    reason: str,
) -> Capa:
    if source not in CapaSource.values:
        raise InvalidInput(
            _("Unknown CAPA source %(source)s") % {"source": source},
            fields={"source": [_("unknown")]},
        )
    if source_id is not None:
        existing = Capa.objects.filter(source=source, source_id=source_id).first()
        if existing is not None:
            return existing
    _check_capa_owner(owner, institution_id)
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise InvalidInput(
            _("The due date %(day)s is in the past") % {"day": due_on},
            fields={"due_on": [_("today or later")]},
        )
    capa = Capa(
        institution_id=institution_id,
        source=source,
        source_id=source_id,
        source_label=source_label.strip(),
        title=str(title).strip(),
        title_zh=title.zh.strip() if isinstance(title, Said) else "",
        description=str(description).strip(),
        description_zh=description.zh.strip() if isinstance(description, Said) else "",
        owner=owner,
        due_on=due_on or today + datetime.timedelta(days=DEFAULT_DAYS_TO_CLOSE),
        raised_by=raised_by,
    )
    full_clean(capa, validate_constraints=False)
    try:
        with transaction.atomic(), audit_context(actor=raised_by, reason=reason):
            capa.save()
            _event(capa, CapaEventKind.OPENED, raised_by, note=capa.source_label)
    except IntegrityError:  # the same source record, opened by someone at the same moment
        return Capa.objects.get(source=source, source_id=source_id)
    return capa


def _check_capa_owner(owner: Any, institution_id: int) -> None:
    """A CAPA's owner leads it: staff of its institution who may record CAPA work."""
    if not (
        getattr(owner, "institution_id", None) == institution_id
        and owner.is_active
        and (
            user_can(owner, Perm.QMS_RECORD, institution_id)
            or user_can(owner, Perm.QMS_MANAGE, institution_id)
        )
    ):
        raise InvalidInput(
            _(
                "%(who)s cannot own this CAPA: the owner is staff of its institution "
                "holding qms.record"
            )
            % {"who": getattr(owner, "display_name", owner)},
            fields={"owner": [_("not staff of the institution holding qms.record")]},
        )


def _check_action_owner(owner: Any, institution_id: int) -> None:
    if not (
        getattr(owner, "institution_id", None) == institution_id
        and owner.is_active
        and user_can(owner, Perm.QMS_VIEW, institution_id)
    ):
        raise InvalidInput(
            _("%(who)s cannot own this action: the owner is staff of the CAPA's institution")
            % {"who": getattr(owner, "display_name", owner)},
            fields={"owner": [_("not staff of the institution")]},
        )


# Who may act, and in which state


def may_lead(actor: Any, capa: Capa) -> bool:
    """The CAPA's owner (with qms.record) or QA (qms.manage) in its institution."""
    return user_can(actor, Perm.QMS_MANAGE, capa.institution_id) or (
        actor.pk == capa.owner_id and user_can(actor, Perm.QMS_RECORD, capa.institution_id)
    )


def may_complete(actor: Any, action: CapaAction, capa: Capa) -> bool:
    return may_lead(actor, capa) or (
        actor.pk == action.owner_id and user_can(actor, Perm.QMS_VIEW, capa.institution_id)
    )


def _lead_or_forbidden(actor: Any, capa: Capa) -> None:
    require(actor, Perm.QMS_VIEW, capa.institution_id)
    if not may_lead(actor, capa):
        raise Forbidden(
            _("Only the CAPA's owner (%(owner)s) or a QA manager may do this.")
            % {"owner": capa.owner.display_name}
        )


def _locked(capa: Capa) -> Capa:
    return Capa.objects.select_for_update().select_related("owner").get(pk=capa.pk)


def _expect(capa: Capa, *states: str) -> None:
    """Conflict (409) naming the CAPA's state when it is not one of `states`."""
    if capa.status in states:
        return
    if capa.status == CapaStatus.CLOSED:
        message = _(
            "%(capa)s is closed: a closed CAPA cannot be changed or reopened; open a new CAPA "
            "if the problem recurs."
        ) % {"capa": capa.number}
    else:
        message = _("%(capa)s is in the state “%(state)s”: this step needs “%(needed)s”.") % {
            "capa": capa.number,
            "state": CapaStatus(capa.status).label,
            "needed": _(" or ").join(str(CapaStatus(s).label) for s in states),
        }
    raise Conflict(message, fields={"status": [capa.status]})


def _event(
    capa: Capa, kind: str, actor: Any, *, action: CapaAction | None = None, note: str = ""
) -> CapaEvent:
    return CapaEvent.objects.create(
        capa=capa, kind=kind, actor=actor, status_after=capa.status, action=action, note=note
    )


def _text(value: Any, field: str, *, required: bool, limit: int | None = None) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput(
            _("%(field)s is required") % {"field": field}, fields={field: [_("required")]}
        )
    if limit is not None and len(text) > limit:
        raise InvalidInput(
            _("%(field)s is longer than %(n)s characters") % {"field": field, "n": limit},
            fields={field: [_("at most %(n)s characters") % {"n": limit}]},
        )
    if problem := text_problem(text):
        raise InvalidInput(problem, fields={field: [problem]})
    return text


# Investigation


def _whys(values: Iterable[Any]) -> list[str]:
    whys = [_text(v, "five_whys", required=False, limit=MAX_CAUSE_LENGTH) for v in values]
    while whys and not whys[-1]:
        whys.pop()
    if "" in whys:
        raise InvalidInput(
            _("Each why answers the one before: leave no gap between them"),
            fields={"five_whys": [_("no empty answer between two answers")]},
        )
    if len(whys) > MAX_WHYS:
        raise InvalidInput(
            _("At most %(n)s whys") % {"n": MAX_WHYS},
            fields={"five_whys": [_("at most %(n)s") % {"n": MAX_WHYS}]},
        )
    return whys


def _fishbone(values: dict[str, Any]) -> dict[str, list[str]]:
    unknown = sorted(set(values) - set(FishboneCategory.values))
    if unknown:
        raise InvalidInput(
            _("Unknown fishbone category %(name)s") % {"name": ", ".join(unknown)},
            fields={f"fishbone.{name}": [_("unknown")] for name in unknown},
        )
    found: dict[str, list[str]] = {}
    for category in FishboneCategory.values:
        raw = values.get(category) or []
        if isinstance(raw, str):
            raw = raw.splitlines()
        causes = [
            text
            for v in raw
            if (text := _text(v, f"fishbone.{category}", required=False, limit=MAX_CAUSE_LENGTH))
        ]
        if len(causes) > MAX_CAUSES_PER_CATEGORY:
            raise InvalidInput(
                _("At most %(n)s causes per category") % {"n": MAX_CAUSES_PER_CATEGORY},
                fields={f"fishbone.{category}": [_("too many")]},
            )
        if causes:
            found[category] = causes
    return found


def capa_investigation_record(
    *,
    actor: Any,
    capa: Capa,
    problem_statement: str,
    containment: str = "",
    root_cause: str = "",
    five_whys: Iterable[Any] = (),
    fishbone: dict[str, Any] | None = None,
) -> Capa:
    """Record (or revise) the investigation: the problem, what was contained at once, the
    five whys and the fishbone, and the root cause they lead to. Open or under investigation,
    or with actions under way (the root cause cannot then be removed). Needs the CAPA's owner
    or qms.manage."""
    _lead_or_forbidden(actor, capa)
    problem = _text(problem_statement, "problem_statement", required=True)
    fields = {
        "containment": _text(containment, "containment", required=False),
        "root_cause": _text(root_cause, "root_cause", required=False),
        "five_whys": _whys(five_whys),
        "fishbone": _fishbone(fishbone or {}),
    }
    with audit_context(actor=actor, reason="CAPA investigation recorded"):
        found = _locked(capa)
        _expect(found, CapaStatus.OPEN, CapaStatus.INVESTIGATION, CapaStatus.ACTIONS)
        if found.status == CapaStatus.ACTIONS and not fields["root_cause"]:
            raise Conflict(
                _("Actions are under way: the root cause they address stays stated"),
                fields={"root_cause": [_("required once actions exist")]},
            )
        found.problem_statement = problem
        for name, value in fields.items():
            setattr(found, name, value)
        if found.status == CapaStatus.OPEN:
            found.status = CapaStatus.INVESTIGATION
        found.investigated_by, found.investigated_at = actor, timezone.now()
        full_clean(found, validate_constraints=False)
        found.save()
        _event(found, CapaEventKind.INVESTIGATION, actor, note=found.root_cause)
    return found


# Actions


# How the action form names its fields in a refusal.
ACTION_FIELDS = {
    "kind": gettext_lazy("its kind"),
    "description": gettext_lazy("what is to be done"),
    "owner": gettext_lazy("its owner"),
    "due_on": gettext_lazy("a due date, today or later"),
}


def _new_action(
    capa: Capa,
    actor: Any,
    *,
    kind: str,
    description: str,
    owner: Any,
    due_on: datetime.date | None,
    prefix: str = "",
) -> CapaAction:
    """Validate and save an action of the locked `capa` (in the caller's transaction). Every
    missing or wrong field is named at once."""
    problems: dict[str, list[str]] = {}
    if kind not in ActionKind.values:
        problems[f"{prefix}kind"] = [_("corrective or preventive")]
    if not str(description or "").strip():
        problems[f"{prefix}description"] = [_("required")]
    if owner is None:
        problems[f"{prefix}owner"] = [_("required")]
    else:
        try:
            _check_action_owner(owner, capa.institution_id)
        except InvalidInput as error:
            problems[f"{prefix}owner"] = error.fields["owner"]
    if due_on is None:
        problems[f"{prefix}due_on"] = [_("required")]
    elif due_on < timezone.localdate():
        problems[f"{prefix}due_on"] = [_("today or later")]
    if problems or due_on is None:
        raise InvalidInput(
            _("The action needs: %(fields)s")
            % {"fields": ", ".join(str(ACTION_FIELDS[n.removeprefix(prefix)]) for n in problems)},
            fields=problems,
        )
    action = CapaAction(
        capa=capa,
        kind=kind,
        description=_text(description, f"{prefix}description", required=True),
        owner=owner,
        due_on=due_on,
        added_by=actor,
    )
    full_clean(action, validate_constraints=False, exclude=["capa"])
    action.save()
    return action


def capa_action_add(
    *,
    actor: Any,
    capa: Capa,
    kind: str,
    description: str,
    owner: Any,
    due_on: datetime.date | None,
) -> CapaAction:
    """Add a corrective or preventive action with its owner and due date, once the root cause
    is recorded (investigation or actions). Needs the CAPA's owner or qms.manage."""
    _lead_or_forbidden(actor, capa)
    with audit_context(actor=actor, reason="CAPA action added"):
        found = _locked(capa)
        _expect(found, CapaStatus.OPEN, CapaStatus.INVESTIGATION, CapaStatus.ACTIONS)
        if not found.root_cause:
            raise Conflict(
                _("%(capa)s has no root cause yet: record the investigation before its actions.")
                % {"capa": found.number},
                fields={"root_cause": [_("required before actions")]},
            )
        action = _new_action(
            found, actor, kind=kind, description=description, owner=owner, due_on=due_on
        )
        found.status = CapaStatus.ACTIONS
        found.save(update_fields=["status"])
        _event(found, CapaEventKind.ACTION_ADDED, actor, action=action, note=action.description)
    return action


def capa_action_complete(
    *,
    actor: Any,
    action: CapaAction,
    done_note: str,
    evidence: str = "",
    evidence_name: str = "",
    evidence_chunks: Iterable[bytes] | None = None,
) -> CapaAction:
    """Record an action done: what was done, the evidence (a note, and a PDF or DOCX file when
    given). Actions under way only. Needs the action's owner, the CAPA's owner or qms.manage."""
    capa = action.capa
    require(actor, Perm.QMS_VIEW, capa.institution_id)
    if not may_complete(actor, action, capa):
        raise Forbidden(
            _(
                "Only the action's owner (%(owner)s), the CAPA's owner or a QA manager may "
                "record it done."
            )
            % {"owner": action.owner.display_name}
        )
    note = _text(done_note, "done_note", required=True)
    evidence_text = _text(evidence, "evidence", required=False)
    with audit_context(actor=actor, reason="CAPA action done"):
        found = _locked(capa)
        _expect(found, CapaStatus.ACTIONS)
        done = CapaAction.objects.select_for_update().get(pk=action.pk)
        if done.is_done:
            raise Conflict(
                _("This action was recorded done on %(day)s.")
                % {"day": f"{done.done_at:%Y-%m-%d}"},
                fields={"done_at": [f"{done.done_at:%Y-%m-%d}"]},
            )
        if evidence_chunks is not None:
            done.evidence_file = document_file_store(
                actor=actor, name=evidence_name, chunks=evidence_chunks, field="evidence_file"
            )
        done.done_at, done.done_by = timezone.now(), actor
        done.done_note, done.evidence = note, evidence_text
        done.save()
        _event(found, CapaEventKind.ACTION_DONE, actor, action=done, note=note)
    return done


def capa_reassign(
    *, actor: Any, capa: Capa, owner: Any = None, due_on: datetime.date | None = None, reason: str
) -> Capa:
    """Change the CAPA's owner or due date, with a reason. Not once closed. Needs qms.manage."""
    require(actor, Perm.QMS_MANAGE, capa.institution_id)
    why = _text(reason, "reason", required=True)
    if owner is not None:
        _check_capa_owner(owner, capa.institution_id)
    if due_on is not None and due_on < timezone.localdate():
        raise InvalidInput(
            _("The due date %(day)s is in the past") % {"day": due_on},
            fields={"due_on": [_("today or later")]},
        )
    with audit_context(actor=actor, reason=why):
        found = _locked(capa)
        _expect(found, *(s for s in CapaStatus.values if s != CapaStatus.CLOSED))
        found.owner = owner or found.owner
        found.due_on = due_on or found.due_on
        found.save(update_fields=["owner", "due_on"])
        _event(found, CapaEventKind.REASSIGNED, actor, note=why)
    return found


# Effectiveness check


def capa_effectiveness_plan(
    *, actor: Any, capa: Capa, criteria: str, due_on: datetime.date | None
) -> Capa:
    """Once every action is done: say how effectiveness will be judged and by when. Needs the
    CAPA's owner or qms.manage."""
    _lead_or_forbidden(actor, capa)
    said = _text(criteria, "effectiveness_criteria", required=True)
    if due_on is None:
        raise InvalidInput(
            _("Give the effectiveness check a due date"),
            fields={"effectiveness_due_on": [_("required")]},
        )
    with audit_context(actor=actor, reason="CAPA effectiveness check planned"):
        found = _locked(capa)
        _expect(found, CapaStatus.ACTIONS)
        pending = found.actions.filter(done_at__isnull=True).count()
        if pending:
            raise Conflict(
                _("%(capa)s has %(n)s action(s) not done: the effectiveness check follows them.")
                % {"capa": found.number, "n": pending},
                fields={"actions": [_("%(n)s not done") % {"n": pending}]},
            )
        found.effectiveness_criteria, found.effectiveness_due_on = said, due_on
        found.status = CapaStatus.EFFECTIVENESS
        full_clean(found, validate_constraints=False)
        found.save()
        _event(found, CapaEventKind.EFFECTIVENESS_STARTED, actor, note=said)
    return found


def capa_effectiveness_record(
    *,
    actor: Any,
    capa: Capa,
    result: str,
    note: str,
    new_action: dict[str, Any] | None = None,
) -> Capa:
    """QA's verdict on the effectiveness check, with the evidence. Effective: ready to close.
    Not effective: back to actions, with the new action `new_action` (kind, description,
    owner, due_on) the verdict calls for. Needs qms.manage."""
    require(actor, Perm.QMS_MANAGE, capa.institution_id)
    if result not in EffectivenessResult.values:
        raise InvalidInput(
            _("The result is effective or not effective"), fields={"result": [_("unknown")]}
        )
    evidence = _text(note, "note", required=True)
    if result == EffectivenessResult.NOT_EFFECTIVE and not new_action:
        raise InvalidInput(
            _("Not effective: add the action that will make it so"),
            fields={"new_action.description": [_("required")]},
        )
    with audit_context(actor=actor, reason="CAPA effectiveness verified"):
        found = _locked(capa)
        _expect(found, CapaStatus.EFFECTIVENESS)
        if found.effectiveness_result == EffectivenessResult.EFFECTIVE:
            raise Conflict(
                _("%(capa)s was already found effective: it awaits closure.")
                % {"capa": found.number},
                fields={"effectiveness_result": [found.effectiveness_result]},
            )
        now = timezone.now()
        if result == EffectivenessResult.EFFECTIVE:
            found.effectiveness_result = result
            found.effectiveness_note = evidence
            found.effectiveness_verified_by, found.effectiveness_verified_at = actor, now
            found.save()
            _event(found, CapaEventKind.EFFECTIVE, actor, note=evidence)
            return found
        assert new_action is not None
        action = _new_action(
            found,
            actor,
            kind=str(new_action.get("kind") or ""),
            description=str(new_action.get("description") or ""),
            owner=new_action.get("owner"),
            due_on=new_action.get("due_on"),
            prefix="new_action.",
        )
        # The failed check is history (its event and the audit trail); a new check follows.
        found.status = CapaStatus.ACTIONS
        found.effectiveness_result, found.effectiveness_note = "", ""
        found.effectiveness_verified_by = found.effectiveness_verified_at = None
        found.save()
        _event(found, CapaEventKind.NOT_EFFECTIVE, actor, action=action, note=evidence)
    return found


# Closure


def capa_close(*, actor: Any, capa: Capa, password: str, summary: str = "") -> Capa:
    """Close the CAPA found effective, signed with the password (meaning "CAPA closure
    approved"); the signature binds the sha256 of the whole CAPA: its source, investigation,
    every action with its evidence, the effectiveness check and the summary. Needs
    qms.manage."""
    require(actor, Perm.QMS_MANAGE, capa.institution_id)
    said = _text(summary, "closure_summary", required=False)
    signing_password_check(actor, password)
    with audit_context(actor=actor, reason="CAPA closed"):
        found = _locked(capa)
        _expect(found, CapaStatus.EFFECTIVENESS)
        if found.effectiveness_result != EffectivenessResult.EFFECTIVE:
            raise Conflict(
                _("%(capa)s awaits its effectiveness verdict: it closes once found effective.")
                % {"capa": found.number},
                fields={"effectiveness_result": [found.effectiveness_result or "pending"]},
            )
        found.closure_summary = said
        found.closed_at = timezone.now()
        signature = signature_write(
            actor=actor, meaning=Signature.Meaning.CAPA_CLOSED, record=capa_record(found)
        )
        found.closure_signature = signature
        found.status = CapaStatus.CLOSED
        found.save()
        _event(found, CapaEventKind.CLOSED, actor, note=said)
    return found
