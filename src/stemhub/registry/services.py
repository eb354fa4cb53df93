"""Writes to the registry. Each function is atomic, checks the actor's permission, validates
with full_clean(), and writes the history rows of what it did."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.catalogue.services import catalogue_entry_refresh
from stemhub.core.columns import concrete_field
from stemhub.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    full_clean,
)
from stemhub.registry import naming
from stemhub.registry.diseases import fold_disease
from stemhub.registry.models import (
    PUBLISHED_AFTER_REVIEW,
    Availability,
    AvailabilityChange,
    CellLine,
    CurationEvent,
    Donor,
    DonorDisease,
    GermLayer,
    LineType,
    LineVersion,
    Provider,
    Source,
    Status,
    Synonym,
)
from stemhub.registry.naming import HUMAN
from stemhub.registry.records import (
    CHILD_TABLES,
    DONOR_FIELDS,
    EDITABLE_FIELDS,
    RECORD_PREFETCH,
    line_record,
    record_changes,
)
from stemhub.registry.validation import line_problems

EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED, Status.PUBLISHED)


def _unknown_keys(data: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidInput(
            _("Unknown field(s) in %(where)s: %(fields)s")
            % {"where": where, "fields": ", ".join(unknown)},
            fields={
                f"{where}.{key}" if where != "line" else key: [_("unknown field")]
                for key in unknown
            },
        )


LINE_KEYS = (
    *EDITABLE_FIELDS,
    "name",
    "synonyms",
    "providers",
    "donor",
    "parent",
    "source",
    "external_accession",
    "external_release",
    *CHILD_TABLES,
)
DONOR_KEYS = ("code", *DONOR_FIELDS, "diseases")


def _line_by_name(name: str, *, field: str) -> CellLine:
    line = CellLine.objects.filter(name=name).first()
    if line is None:
        raise InvalidInput(
            _("No cell line named %(name)r") % {"name": name},
            fields={field: [_("unknown cell line")]},
        )
    return line


def _write_donor(institution: Institution, data: Mapping[str, Any]) -> Donor:
    _unknown_keys(data, DONOR_KEYS, "donor")
    code = str(data.get("code") or "").strip()
    if not code:
        raise InvalidInput(_("A donor needs a code"), fields={"donor.code": [_("required")]})
    donor = Donor.objects.filter(institution=institution, code=code).first() or Donor(
        institution=institution, code=code
    )
    for key in DONOR_FIELDS:
        if key in data:
            setattr(donor, key, data[key] if data[key] is not None else "")
    full_clean(donor, validate_constraints=True, prefix="donor", exclude=["institution"])
    donor.save()
    if "diseases" in data:
        donor.diseases.all().delete()
        seen: set[tuple[str, str]] = set()
        for index, disease in enumerate(data["diseases"] or []):
            _unknown_keys(disease, ("ontology", "term_id", "label", "affected", "primary"), "donor")
            folded = fold_disease(disease)
            identity = (str(folded.get("ontology", "")), str(folded.get("term_id", "")))
            if identity in seen:
                continue  # two spellings of one term: the first row stands
            seen.add(identity)
            row = DonorDisease(donor=donor, **folded)
            full_clean(
                row, validate_constraints=True, prefix=f"donor.diseases[{index}]", exclude=["donor"]
            )
            row.save()
    return donor


def _write_children(line: CellLine, data: Mapping[str, Any]) -> None:
    for relation, (model, fields) in CHILD_TABLES.items():
        if relation not in data:
            continue
        getattr(line, relation).all().delete()
        for index, row_data in enumerate(data[relation] or []):
            _unknown_keys(row_data, fields, relation)
            values = dict(row_data)
            if relation == "modifications" and values.get("isogenic_control"):
                values["isogenic_control"] = _line_by_name(
                    values["isogenic_control"], field=f"modifications[{index}].isogenic_control"
                )
            row = model(line=line, **values)
            full_clean(
                row, validate_constraints=True, prefix=f"{relation}[{index}]", exclude=["line"]
            )
            row.save()


def _write_synonyms(line: CellLine, names: Iterable[str]) -> None:
    wanted = {n.strip() for n in names if n and n.strip()} - {line.name}
    line.synonyms.exclude(name__in=wanted).delete()
    existing = set(line.synonyms.values_list("name", flat=True))
    added = [Synonym(line=line, name=n) for n in sorted(wanted - existing)]
    for index, synonym in enumerate(added):
        full_clean(
            synonym, validate_constraints=True, prefix=f"synonyms[{index}]", exclude=["line"]
        )
    Synonym.objects.bulk_create(added)


def _write_providers(line: CellLine, providers: Iterable[Mapping[str, Any]]) -> None:
    line.providers.all().delete()
    for index, item in enumerate(providers):
        _unknown_keys(item, ("institution", "role"), "providers")
        institution = Institution.objects.filter(provider_code=item.get("institution")).first()
        if institution is None:
            raise InvalidInput(
                _("No institution with provider code %(code)r") % {"code": item.get("institution")},
                fields={f"providers[{index}].institution": [_("unknown provider code")]},
            )
        row = Provider(line=line, institution=institution, role=item.get("role", ""))
        full_clean(row, validate_constraints=True, prefix=f"providers[{index}]", exclude=["line"])
        row.save()


def _apply(line: CellLine, data: Mapping[str, Any]) -> None:
    """Write every given field and relation of a line (the line row itself included)."""
    _unknown_keys(data, LINE_KEYS, "line")
    for field in EDITABLE_FIELDS:
        if field in data:
            value = data[field]
            if value is None and not concrete_field(CellLine, field).null:
                value = concrete_field(CellLine, field).get_default()
            setattr(line, field, value)
    for field in ("source", "external_accession", "external_release"):
        if field in data:
            setattr(line, field, data[field] or "")
    if "parent" in data:
        line.parent = _line_by_name(data["parent"], field="parent") if data["parent"] else None
    if "donor" in data:
        line.donor = _write_donor(line.institution, data["donor"]) if data["donor"] else None
    full_clean(line, validate_constraints=True)
    line.save()
    if "synonyms" in data:
        _write_synonyms(line, data["synonyms"] or [])
    if "providers" in data:
        _write_providers(line, data["providers"] or [])
    _write_children(line, data)
    _refuse_problems(line)


def _refuse_problems(line: CellLine) -> None:
    """A line registered here must have a consistent record (`validation`); an imported one
    keeps what its registry holds, and its staff page lists the problems as warnings."""
    if line.source != Source.OWN:
        return
    problems = line_problems(line)
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.field, []).append(problem.message)
        raise InvalidInput(" ".join(p.message for p in problems), fields=fields)


def _fresh_record(line: CellLine) -> dict[str, Any]:
    return line_record(CellLine.objects.prefetch_related(*RECORD_PREFETCH).get(pk=line.pk))


@transaction.atomic
def cell_line_create(
    *, actor: User, data: Mapping[str, Any], institution: Institution | None = None
) -> CellLine:
    with audit_context(actor=actor, reason=""):
        institution = institution or actor.institution
        if institution is None:
            raise InvalidInput(_("You belong to no institution; name one to register a line for."))
        require(actor, Perm.EDIT_LINE, institution.pk)
        name = str(data.get("name") or "").strip()
        verdict = naming.check_name(name)
        human = str(data.get("species") or HUMAN).strip() == HUMAN
        if not human:
            # hPSCreg's naming scheme is for human lines: an animal line keeps its own name
            if problem := naming.own_name_problem(name):
                raise InvalidInput(
                    _("%(name)r is not a usable cell line name: %(problem)s")
                    % {"name": name, "problem": problem},
                    fields={"name": [problem]},
                )
        elif data.get("source", Source.OWN) == Source.OWN and verdict.verdict == "invalid":
            raise InvalidInput(
                _("%(name)r is not a usable cell line name: %(problem)s")
                % {"name": name, "problem": "; ".join(verdict.messages)},
                fields={"name": list(verdict.messages)},
            )
        code = institution.provider_code
        own = data.get("source", Source.OWN) == Source.OWN
        if (
            own
            and verdict.verdict == "valid"
            and human
            and not (name.startswith(code) and name[len(code) : len(code) + 1] in "ie")
        ):
            raise InvalidInput(
                _("%(name)r does not start with the provider code %(code)s of %(institution)s")
                % {"name": name, "code": code, "institution": institution.display_name},
                fields={"name": [_("must start with %(code)s") % {"code": code}]},
            )
        if CellLine.objects.filter(name=name).exists():
            raise Conflict(
                _("A cell line named %(name)r already exists") % {"name": name},
                fields={"name": [_("taken")]},
            )
        line = CellLine(name=name, institution=institution, line_type=data.get("line_type", ""))
        try:
            with transaction.atomic():
                _apply(line, {k: v for k, v in data.items() if k != "name"})
        except IntegrityError as error:
            raise Conflict(
                _("The line conflicts with an existing record: %(error)s") % {"error": error}
            ) from None
        if "providers" not in data:
            Provider.objects.bulk_create(
                Provider(line=line, institution=institution, role=role)
                for role in (Provider.ProviderRole.GENERATOR, Provider.ProviderRole.OWNER)
            )
        return line


def line_locked(line: CellLine | int) -> CellLine:
    """The line's row locked (FOR UPDATE), its institution joined: the one way any app locks a
    line before changing it or what its state allows (a request, an approval)."""
    pk = line if isinstance(line, int) else line.pk
    return CellLine.objects.select_for_update().select_related("institution").get(pk=pk)


@transaction.atomic
def cell_line_update(
    *, actor: User, line: CellLine, data: Mapping[str, Any], reason: str = ""
) -> CellLine:
    """Change a line. A published line keeps every change as a version with its reason."""
    with audit_context(actor=actor, reason=reason):
        line = line_locked(line)
        require(actor, Perm.EDIT_LINE, line.institution_id)
        if line.status not in EDITABLE_STATUSES:
            raise Conflict(
                _(
                    "%(name)s is %(status)s; it can be changed again once the review returns or "
                    "publishes it."
                )
                % {"name": line.name, "status": line.get_status_display().lower()}
            )
        if "name" in data and data["name"] != line.name:
            raise InvalidInput(
                _("A standard name never changes"), fields={"name": [_("read-only")]}
            )
        if line.status == Status.PUBLISHED and not reason.strip():
            raise InvalidInput(
                _("Changes to a published line need a reason"), fields={"reason": [_("required")]}
            )
        before = _fresh_record(line)
        try:
            with transaction.atomic():
                _apply(line, {k: v for k, v in data.items() if k != "name"})
        except IntegrityError as error:
            raise Conflict(
                _("The change conflicts with an existing record: %(error)s") % {"error": error}
            ) from None
        if line.status == Status.PUBLISHED:
            changes = record_changes(before, _fresh_record(line))
            if changes:
                line.version += 1
                line.save(update_fields=["version", "updated_at"])
                LineVersion.objects.create(
                    line=line,
                    number=line.version,
                    changes=changes,
                    note=reason.strip(),
                    actor=actor,
                )
                catalogue_entry_refresh(line=line)
        return line


def _transition(
    line: CellLine, *, actor: User, allowed_from: tuple[str, ...], to: str, comment: str = ""
) -> CellLine:
    if line.status not in allowed_from:
        allowed = pgettext("list separator", ", ").join(
            str(Status(s).label).lower() for s in allowed_from
        )
        raise Conflict(
            _("%(name)s is %(status)s; this step needs it %(allowed)s.")
            % {"name": line.name, "status": line.get_status_display().lower(), "allowed": allowed}
        )
    CurationEvent.objects.create(
        line=line, from_status=line.status, to_status=to, note=comment, actor=actor
    )
    line.status = to
    line.save(update_fields=["status", "updated_at"])
    return line


@transaction.atomic
def cell_line_submit(*, actor: User, line: CellLine, comment: str = "") -> CellLine:
    with audit_context(actor=actor, reason=comment):
        line = line_locked(line)
        require(actor, Perm.EDIT_LINE, line.institution_id)
        return _transition(
            line,
            actor=actor,
            allowed_from=(Status.DRAFT, Status.RETURNED),
            to=Status.SUBMITTED,
            comment=comment,
        )


@transaction.atomic
def cell_line_start_review(*, actor: User, line: CellLine, comment: str = "") -> CellLine:
    with audit_context(actor=actor, reason=comment):
        line = line_locked(line)
        require(actor, Perm.CURATE, line.institution_id)
        return _transition(
            line,
            actor=actor,
            allowed_from=(Status.SUBMITTED,),
            to=Status.IN_REVIEW,
            comment=comment,
        )


@transaction.atomic
def cell_line_return(*, actor: User, line: CellLine, comment: str) -> CellLine:
    with audit_context(actor=actor, reason=comment):
        line = line_locked(line)
        require(actor, Perm.CURATE, line.institution_id)
        if not comment.strip():
            raise InvalidInput(
                _("Say what the submitter must change"), fields={"comment": [_("required")]}
            )
        return _transition(
            line, actor=actor, allowed_from=(Status.IN_REVIEW,), to=Status.RETURNED, comment=comment
        )


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    required: bool


def cell_line_checklist(line: CellLine) -> list[ChecklistItem]:
    """hPSCreg's minimum for registration (required) and what makes a record complete."""
    markers = list(line.markers.all())
    layers = {d.germ_layer for d in line.differentiations.all()}
    donor = line.donor
    embryonic = line.line_type not in (LineType.HIPSC, LineType.IPSC)
    human = line.species == HUMAN
    return [
        ChecklistItem(
            "ethics",
            _("Ethical provenance: consent obtained and an ethics approval reference")
            if human
            else _("Ethical provenance: an animal-work approval reference"),
            (bool(line.consent_obtained) or not human) and bool(line.ethics_approval.strip()),
            True,
        ),
        ChecklistItem(
            "markers",
            _(
                "Pluripotency: undifferentiated-state marker expression (at least one positive "
                "marker)"
            ),
            any(m.result == "positive" for m in markers),
            True,
        ),
        ChecklistItem(
            "germ_layers",
            _("Pluripotency: differentiation into endoderm, mesoderm and ectoderm"),
            layers >= {g.value for g in GermLayer},
            True,
        ),
        ChecklistItem(
            "derivation",
            _("Derivation method")
            if embryonic
            else _("Derivation method, source cell type and vector"),
            bool(line.derivation_method)
            and (embryonic or bool(line.source_cell_type and line.vector)),
            False,
        ),
        ChecklistItem(
            "donor", _("Donor sex and age"), bool(donor and donor.sex != "unknown"), False
        ),
        ChecklistItem("karyotype", _("Karyotype"), bool(line.karyotypes.all()), False),
        ChecklistItem("str", _("STR profile"), bool(line.str_profile), False),
        ChecklistItem("hla", _("HLA typing"), bool(line.hla_typing), False),
    ]


@transaction.atomic
def cell_line_publish(*, actor: User, line: CellLine, comment: str = "") -> CellLine:
    with audit_context(actor=actor, reason=comment):
        line = line_locked(line)
        require(actor, Perm.CURATE, line.institution_id)
        missing = [item for item in cell_line_checklist(line) if item.required and not item.done]
        if missing:
            raise InvalidInput(
                _("%(name)s lacks hPSCreg's minimum: %(missing)s")
                % {"name": line.name, "missing": "; ".join(i.label for i in missing)},
                fields={"checklist": [i.key for i in missing]},
            )
        _transition(
            line,
            actor=actor,
            allowed_from=(Status.IN_REVIEW,),
            to=Status.PUBLISHED,
            comment=comment,
        )
        line.published_at = line.published_at or timezone.now()
        line.version += 1
        line.save(update_fields=["published_at", "version", "updated_at"])
        LineVersion.objects.create(
            line=line,
            number=line.version,
            changes={"status": [Status.IN_REVIEW.value, Status.PUBLISHED.value]},
            note=comment.strip() or PUBLISHED_AFTER_REVIEW,
            actor=actor,
        )
        catalogue_entry_refresh(line=line)
        return line


@transaction.atomic
def cell_line_set_availability(
    *, actor: User, line: CellLine, availability: str, reason: str = ""
) -> CellLine:
    with audit_context(actor=actor, reason=reason):
        line = line_locked(line)
        require(actor, Perm.SET_AVAILABILITY, line.institution_id)
        if availability not in Availability.values:
            raise InvalidInput(
                _("Unknown availability %(value)r; use one of %(allowed)s")
                % {"value": availability, "allowed": ", ".join(Availability.values)},
                fields={"availability": [_("unknown value")]},
            )
        if availability in (Availability.RECALLED, Availability.WITHDRAWN) and not reason.strip():
            raise InvalidInput(
                _("Say why the line is %(availability)s")
                % {"availability": str(Availability(availability).label).lower()},
                fields={"reason": [_("required for recall and withdrawal")]},
            )
        if availability == line.availability:
            raise Conflict(
                _("%(name)s is already %(availability)s")
                % {"name": line.name, "availability": line.get_availability_display().lower()}
            )
        AvailabilityChange.objects.create(
            line=line,
            from_availability=line.availability,
            to_availability=availability,
            note=reason.strip(),
            actor=actor,
        )
        line.availability = availability
        line.save(update_fields=["availability", "updated_at"])
        catalogue_entry_refresh(line=line)
        return line


def line_or_404(name: str) -> CellLine:
    line = CellLine.objects.select_related("institution").filter(name=name).first()
    if line is None:
        raise NotFound(_("No cell line named %(name)r") % {"name": name})
    return line
