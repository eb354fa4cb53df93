"""Pages anyone may open to verify a certificate of analysis, and the staff STR search page.
Parse, call, render.

The STR search keeps one `StrIndex` per process and rebuilds it when the profile tables change:
a fingerprint (row count, highest id and latest update of the STR library and of the registry
lines) is read with two aggregate queries per search and compared with the index's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from stemhub.accounts.permissions import Perm, is_platform_admin
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest, error_page, page
from stemhub.exchange.models import StrReference
from stemhub.quality import verification, wording
from stemhub.quality.coa import certificate_data, line_of
from stemhub.quality.models import Certificate
from stemhub.quality.str_search import str_index_from_database
from stemhub.registry.models import CellLine, Status
from stemhub.strprofile import (
    ALGORITHMS,
    Match,
    ParameterError,
    Profile,
    ProfileError,
    SearchParameters,
    StrIndex,
    format_score,
    parse_profile,
)

# Certificate verification (public)


def _essentials(certificate: Certificate) -> dict[str, Any]:
    """What the certificate printed, read back from the release (the results as signed)."""
    release = certificate.release
    bank = release.bank
    line = line_of(bank)
    data = certificate_data(release, number=certificate.number, issued_at=certificate.issued_at)
    return {
        "data": data,
        "line": line,
        "line_public": line.status == Status.PUBLISHED,
        "passed": sum(1 for test in data.tests if test.passed),
        "cells_per_vial": (
            _("not recorded") if data.cells_per_vial is None else f"{data.cells_per_vial:,}"
        ),
    }


def _verify_context(
    certificate: Certificate, check: verification.FileCheck | None = None
) -> dict[str, Any]:
    proven = check is not None and check.matches
    context: dict[str, Any] = {
        "certificate": certificate,
        "state": verification.certificate_state(certificate),
        "check": check,
        "show_details": certificate.public or proven,
    }
    if context["show_details"]:
        context.update(_essentials(certificate))
    return context


def _submitted_sha256(request: HttpRequest) -> str:
    upload = request.FILES.get("file")
    if upload is not None:
        return verification.sha256_of_chunks(upload.chunks())
    pasted = request.POST.get("sha256", "")
    if not pasted.strip():
        raise InvalidInput(
            _("Choose the certificate's PDF file or paste its SHA-256"),
            fields={"file": [_("required")], "sha256": [_("required")]},
        )
    return verification.normalise_sha256(pasted)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """Public: a certificate's status and essentials; POST a PDF (or its SHA-256) to check
    that it is this certificate, unaltered."""
    try:
        certificate = verification.certificate_by_number(number)
    except NotFound as error:
        return error_page(request, error)
    if request.method == "GET":
        return render(request, "quality/coa_verify.html", _verify_context(certificate))
    try:
        sha256 = _submitted_sha256(request)
    except InvalidInput as error:
        context = _verify_context(certificate)
        context["error"] = error
        return render(request, "quality/coa_verify.html", context, status=400)
    check = verification.certificate_check(sha256=sha256, certificate=certificate)
    return render(request, "quality/coa_verify.html", _verify_context(certificate, check))


@require_http_methods(["GET", "POST"])
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """Public: check any file (or SHA-256) against every certificate issued, or go to a
    certificate by its number."""
    number = request.GET.get("number", "").strip()
    if request.method == "GET" and number:
        try:
            certificate = verification.certificate_by_number(number)
        except NotFound as error:
            return render(
                request, "quality/coa_lookup.html", {"error": error, "number": number}, status=404
            )
        return render(request, "quality/coa_verify.html", _verify_context(certificate))
    if request.method == "GET":
        return render(request, "quality/coa_lookup.html", {})
    try:
        sha256 = _submitted_sha256(request)
    except InvalidInput as error:
        return render(request, "quality/coa_lookup.html", {"error": error}, status=400)
    check = verification.certificate_check(sha256=sha256)
    if check.found is None:
        return render(request, "quality/coa_lookup.html", {"check": check})
    return render(request, "quality/coa_verify.html", _verify_context(check.found, check))


@require_http_methods(["GET"])
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """Public: the PDF of a certificate published as public; 404 otherwise."""
    found = Certificate.objects.filter(number=number, public=True).values_list("pdf", flat=True)
    content = found.first()
    if content is None:
        return error_page(
            request,
            NotFound(
                _("No public certificate numbered %(number)s") % {"number": repr(number)},
                fields={},
            ),
        )
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{number}.pdf"'
    return response


# STR search (staff)


# `what` is lazy: the refusal names it in the reader's language.
qc_page = page(Perm.QC_RECORD, what=cast(str, gettext_lazy("The STR search")))


@dataclass(frozen=True)
class _RegistryLine:
    name: str
    institution_id: int
    published: bool


@dataclass(frozen=True)
class _CachedIndex:
    fingerprint: tuple[Any, ...]
    index: StrIndex
    # (accession, name) of each registry line's reference → who may see it by name.
    registry: dict[tuple[str, str], _RegistryLine]


_lock = threading.Lock()
_cached: _CachedIndex | None = None


def _fingerprint() -> tuple[Any, ...]:
    library = StrReference.objects.aggregate(n=Count("id"), top=Max("id"), at=Max("updated_at"))
    lines = CellLine.objects.aggregate(n=Count("id"), top=Max("id"), at=Max("updated_at"))
    return (*library.values(), *lines.values())


def _registry_references() -> dict[tuple[str, str], _RegistryLine]:
    """The registry lines that `str_search.database_references` yields under their own name
    (the ones not in the STR library), keyed as their references are."""
    library = StrReference.objects.values("accession")
    rows = (
        CellLine.objects.exclude(str_profile={})
        .exclude(external_accession__in=library)
        .values_list("name", "external_accession", "institution_id", "status")
    )
    found = {}
    for name, external, institution_id, status in rows:
        accession = external if external.startswith("CVCL_") else name
        found[(accession, name)] = _RegistryLine(name, institution_id, status == Status.PUBLISHED)
    return found


def current_str_index() -> _CachedIndex:
    """The process's index of every STR profile in the database, rebuilt after a change."""
    global _cached
    fingerprint = _fingerprint()
    cached = _cached
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    with _lock:
        if _cached is None or _cached.fingerprint != fingerprint:
            _cached = _CachedIndex(fingerprint, str_index_from_database(), _registry_references())
        return _cached


@dataclass(frozen=True)
class _Row:
    match: Match
    score: str
    hidden: bool
    line: str
    cellosaurus: bool


def _rows(request: HttpRequest, cached: _CachedIndex, matches: list[Match]) -> list[_Row]:
    """The result rows, a registry line that the searcher may not see by name (another
    institution's unpublished line) shown without its accession and name: the hit matters
    (possible cross-contamination), the line's identity is not theirs to see."""
    user = request.user
    admin = is_platform_admin(user)
    rows = []
    for match in matches:
        line = cached.registry.get((match.accession, match.name))
        hidden = bool(
            line
            and not line.published
            and not admin
            and line.institution_id != getattr(user, "institution_id", None)
        )
        rows.append(
            _Row(
                match=match,
                score=format_score(match.score),
                hidden=hidden,
                line=line.name if line and not hidden else "",
                cellosaurus=line is None and match.accession.startswith("CVCL_"),
            )
        )
    return rows


# The search parameters as an error message names them.
PARAMETER_LABELS = {
    "algorithm": gettext_lazy("algorithm"),
    "mode": gettext_lazy("mode"),
    "min_markers": gettext_lazy("min markers"),
    "score_filter": gettext_lazy("score filter"),
    "max_results": gettext_lazy("max results"),
}


def _number(data: Any, name: str, kind: type, default: Any) -> Any:
    raw = (data.get(name) or "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput(
            _("%(field)s: %(value)s is not a number")
            % {"field": PARAMETER_LABELS[name], "value": repr(raw)},
            fields={name: [_("a number")]},
        ) from None


def _parameters(data: Any) -> SearchParameters:
    max_results = _number(data, "max_results", int, 200)
    if max_results > 10000:
        raise InvalidInput(
            _("%(field)s: at most 10000") % {"field": PARAMETER_LABELS["max_results"]},
            fields={"max_results": [_("at most 10000")]},
        )
    try:
        return SearchParameters(
            algorithm=data.get("algorithm") or "tanabe",
            mode=data.get("mode") or "nonempty",
            include_amelogenin=data.get("include_amelogenin") in ("on", "true", "1"),
            min_markers=_number(data, "min_markers", int, 8),
            score_filter=_number(data, "score_filter", float, 60.0),
            max_results=max_results,
        )
    except ParameterError as error:
        reason = wording.str_problem(error.reason)
        raise InvalidInput(
            _("%(field)s: %(problem)s")
            % {"field": PARAMETER_LABELS.get(error.name, error.name), "problem": reason},
            fields={error.name: [reason]},
        ) from None


# The search form's fields as the page labels them, for the error list.
FIELD_LABELS = {
    "profile": gettext_lazy("STR profile"),
    "algorithm": gettext_lazy("Algorithm"),
    "mode": gettext_lazy("Scoring mode"),
    "min_markers": gettext_lazy("Minimum markers"),
    "score_filter": gettext_lazy("Lowest score shown (%)"),
    "max_results": gettext_lazy("Maximum results"),
}

MODES = [
    ("nonempty", gettext_lazy("Non-empty markers")),
    ("query", gettext_lazy("Query markers")),
    ("reference", gettext_lazy("Reference markers")),
]
ALGORITHM_LABELS = {
    "tanabe": "Tanabe",
    "masters-query": gettext_lazy("Masters (vs. query)"),
    "masters-reference": gettext_lazy("Masters (vs. reference)"),
}


def _example(user: Any) -> tuple[str, str] | None:
    """A profile the searcher may see that the search will find: (line name, profile text) of
    the first published line with an STR profile, or one of the searcher's institution."""
    visible = Q(status=Status.PUBLISHED)
    if getattr(user, "institution_id", None):
        visible |= Q(institution_id=user.institution_id)
    for name, profile in (
        CellLine.objects.exclude(str_profile={})
        .filter(visible)
        .order_by("name")
        .values_list("name", "str_profile")[:5]
    ):
        try:
            return name, Profile.from_mapping(profile).as_text()
        except ProfileError:
            continue
    return None


@qc_page
@require_http_methods(["GET", "POST"])
def str_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs quality.record: search an STR profile against every profile in the database (the
    Cellosaurus STR library and the registry lines), CLASTR's scoring."""
    context: dict[str, Any] = {
        "algorithms": [(name, ALGORITHM_LABELS.get(name, name)) for name in ALGORITHMS],
        "modes": MODES,
        "field_labels": FIELD_LABELS,
        "form": {
            "profile": "",
            "algorithm": "tanabe",
            "mode": "nonempty",
            "include_amelogenin": False,
            "min_markers": 8,
            "score_filter": "60",
            "max_results": 200,
        },
    }
    example = _example(request.user)
    context["example"] = example
    if request.method == "GET":
        if example and request.GET.get("example"):
            context["form"]["profile"] = example[1]
        return render(request, "quality/str_search.html", context)
    data = request.POST
    context["form"] = {
        "profile": data.get("profile", ""),
        "algorithm": data.get("algorithm", "tanabe"),
        "mode": data.get("mode", "nonempty"),
        "include_amelogenin": data.get("include_amelogenin") in ("on", "true", "1"),
        "min_markers": data.get("min_markers", ""),
        "score_filter": data.get("score_filter", ""),
        "max_results": data.get("max_results", ""),
    }
    try:
        try:
            query = parse_profile(data.get("profile", ""))
        except ProfileError as error:
            reason = wording.str_problem(error.reason)
            raise InvalidInput(
                _("STR profile: %(token)s: %(problem)s")
                % {"token": repr(error.token), "problem": reason},
                fields={"profile": [f"{error.token}: {reason}"]},
            ) from None
        parameters = _parameters(data)
    except InvalidInput as error:
        context["error"] = error
        return render(request, "quality/str_search.html", context, status=400)
    cached = current_str_index()
    matches = cached.index.search(query, parameters)
    context.update(
        {
            "query": query.as_text(),
            "parameters": parameters,
            "searched": len(cached.index),
            "rows": _rows(request, cached, matches),
            "algorithm_label": ALGORITHM_LABELS.get(parameters.algorithm, parameters.algorithm),
            "mode_label": dict(MODES)[parameters.mode],
            "references": len({(m.accession, m.name) for m in matches}),
        }
    )
    return render(request, "quality/str_search.html", context)
