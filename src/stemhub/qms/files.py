"""Files the quality system keeps (a document version's PDF or DOCX, a training record's
evidence): read in chunks up to a declared limit, recognised by their first bytes (not by the
name a browser sends), stored write-once with their sha256."""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from stemhub.core.errors import InvalidInput
from stemhub.qms.models import DocumentFile

MAX_FILE_BYTES = 25 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = {".pdf": PDF, ".docx": DOCX}


def _kind(name: str, head: bytes) -> str:
    """The content type the bytes prove, or InvalidInput naming what was expected."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in ACCEPTED:
        raise InvalidInput(
            _("%(name)s is not a PDF or DOCX file") % {"name": name},
            fields={"file": [_("PDF or DOCX only")]},
        )
    # A PDF starts with %PDF-; a DOCX is a ZIP archive (PK\x03\x04).
    proven = PDF if head.startswith(b"%PDF-") else DOCX if head.startswith(b"PK\x03\x04") else ""
    if proven != ACCEPTED[suffix]:
        raise InvalidInput(
            _("%(name)s is named %(suffix)s but its content is not")
            % {"name": name, "suffix": suffix},
            fields={"file": [_("content does not match the file name")]},
        )
    return proven


def document_file_store(
    *, actor: Any, name: str, chunks: Iterable[bytes], field: str = "file"
) -> DocumentFile:
    """Read `chunks` (an upload's `.chunks()`, or `[bytes]`), refusing past MAX_FILE_BYTES as
    soon as it is passed, and store the file. Inside the caller's transaction."""
    name = (name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:255]
    if not name:
        raise InvalidInput(_("The file has no name"), fields={field: [_("required")]})
    digest, parts, size = hashlib.sha256(), [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                _("%(name)s is larger than %(mb)s MB")
                % {"name": name, "mb": MAX_FILE_BYTES // (1024 * 1024)},
                fields={field: [_("too large")]},
            )
        digest.update(chunk)
        parts.append(chunk)
    content = b"".join(parts)
    if not content:
        raise InvalidInput(_("%(name)s is empty") % {"name": name}, fields={field: [_("empty")]})
    try:
        kind = _kind(name, content[:8])
    except InvalidInput as error:
        raise InvalidInput(error.message, fields={field: error.fields["file"]}) from None
    return DocumentFile.objects.create(
        name=name,
        content_type=kind,
        size=size,
        sha256=digest.hexdigest(),
        content=content,
        uploaded_by=actor,
    )
