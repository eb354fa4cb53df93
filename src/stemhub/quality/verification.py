"""Public reads of certificates of analysis: look one up, say whether it still stands, check a
file (or its SHA-256) against the stored hash, and list a line's public certificates for the
catalogue.

A certificate stands while its release does. When a later failing result sends the bank back
to quarantine the release is invalidated and the certificate is superseded: it stays
verifiable (the file is still the one issued) but no longer vouches for the bank. A bank
released again gets a new certificate, which supersedes the old one too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from stemhub.core.errors import InvalidInput, NotFound
from stemhub.quality import wording
from stemhub.quality.models import Certificate
from stemhub.registry.models import CellLine, Status

__all__ = [
    "MAX_UPLOAD_BYTES",
    "CertificateState",
    "FileCheck",
    "certificate_by_number",
    "certificate_check",
    "certificate_state",
    "normalise_sha256",
    "public_certificates_for_line",
    "sha256_of_chunks",
]

# A certificate is a few tens of kilobytes; anything much larger is not one.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _certificates() -> QuerySet[Certificate]:
    return Certificate.objects.defer("pdf").select_related(
        "release__signature",
        "release__bank__line",
        "release__bank__product__line",
        "release__bank__institution",
    )


def certificate_by_number(number: str) -> Certificate:
    """The certificate with this number (the PDF bytes deferred); NotFound otherwise."""
    found = _certificates().filter(number=number).first()
    if found is None:
        raise NotFound(
            _("No certificate numbered %(number)s") % {"number": repr(number)},
            fields={"number": [_("unknown")]},
        )
    return found


@dataclass(frozen=True)
class CertificateState:
    """`valid`: the release stands and no later certificate replaced this one. `reason` is
    recorded English (`wording.recorded` shows it in the reader's language)."""

    state: Literal["valid", "superseded"]
    since: datetime | None = None
    reason: str = ""
    replaced_by: str = ""

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def certificate_state(certificate: Certificate) -> CertificateState:
    release = certificate.release
    later = (
        Certificate.objects.filter(release__bank_id=release.bank_id, pk__gt=certificate.pk)
        .order_by("pk")
        .values_list("number", "issued_at")
        .first()
    )
    if release.invalidated_at is not None:
        return CertificateState(
            "superseded",
            since=release.invalidated_at,
            reason=release.invalidated_reason,
            replaced_by=later[0] if later else "",
        )
    if later is not None:
        return CertificateState(
            "superseded",
            since=later[1],
            reason=wording.LATER_CERTIFICATE,
            replaced_by=later[0],
        )
    return CertificateState("valid")


def normalise_sha256(text: str) -> str:
    """A pasted SHA-256: 64 hex digits, any case, spaces and a `sha256:` prefix tolerated."""
    value = re.sub(r"\s+", "", text or "").lower().removeprefix("sha256:").removeprefix("sha-256")
    value = value.lstrip(":")
    if not _HEX64.match(value):
        raise InvalidInput(
            _("A SHA-256 is 64 hexadecimal digits (0-9, a-f)"), fields={"sha256": [text.strip()]}
        )
    return value


def sha256_of_chunks(chunks: Iterable[bytes], *, limit: int = MAX_UPLOAD_BYTES) -> str:
    """The SHA-256 of an upload read chunk by chunk; InvalidInput past `limit` bytes."""
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise InvalidInput(
                _("The file is larger than %(mb)s MB: not a certificate")
                % {"mb": limit // (1024 * 1024)},
                fields={"file": [_("too large")]},
            )
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileCheck:
    """The answer to "is this file the certificate?". `outcome`: `match` (it is this
    certificate), `other` (it is a different certificate, `found`), `none` (no certificate)."""

    sha256: str
    outcome: Literal["match", "other", "none"]
    found: Certificate | None = None

    @property
    def matches(self) -> bool:
        return self.outcome == "match"


def certificate_check(*, sha256: str, certificate: Certificate | None = None) -> FileCheck:
    """Compare a file's SHA-256 with `certificate`'s (or with every certificate's, when none
    is given)."""
    if certificate is not None and certificate.sha256 == sha256:
        return FileCheck(sha256, "match", certificate)
    found = _certificates().filter(sha256=sha256).first()
    if found is None:
        return FileCheck(sha256, "none")
    return FileCheck(sha256, "match" if certificate is None else "other", found)


def public_certificates_for_line(line: CellLine) -> list[Certificate]:
    """For the catalogue's line page: the public certificates of the line's banks (and of its
    differentiated products' banks) whose release stands, newest first; none unless the line
    is published. The PDF bytes are deferred: link each to
    `reverse("quality_public:certificate_pdf", args=[certificate.number])` (the download) and
    `reverse("quality_public:verify", args=[certificate.number])` (its verification page)."""
    if line.status != Status.PUBLISHED:
        return []
    return list(
        _certificates()
        .filter(public=True, release__invalidated_at__isnull=True)
        .filter(Q(release__bank__line_id=line.pk) | Q(release__bank__product__line_id=line.pk))
        .order_by("-issued_at", "-id")
    )
