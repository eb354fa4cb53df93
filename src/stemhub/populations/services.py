"""Writes: populations, the default population, and new versions of a population's haplotype
frequency set. Each function is atomic, checks `populations.manage`, validates, and writes under
an audit context. A set is validated by the HLA engine against the platform's IPD-IMGT/HLA
release before anything is stored; a file that fails stores nothing."""

import gzip
import hashlib
import io
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, InvalidInput, full_clean
from stemhub.hla import FrequencySet, FrequencySetError
from stemhub.populations.messages import problem_words
from stemhub.populations.models import FileFormat, HaplotypeSet, Population
from stemhub.populations.selectors import read_set

# A published set has a few thousand haplotypes (CAU: 3,380 rows, 18 kB gzipped); regional
# sets of a national registry run to tens of thousands. 20 MB holds ~400,000 rows.
MAX_SET_BYTES = 20 * 1024 * 1024


@transaction.atomic
def population_create(
    *, actor: User, code: str, name: str, name_zh: str = "", description: str = ""
) -> Population:
    require(actor, Perm.POPULATIONS_MANAGE)
    population = Population(
        code=code.strip().upper(),
        name=name.strip(),
        name_zh=name_zh.strip(),
        description=description.strip(),
        is_default=not Population.objects.exists(),
    )
    taken = Population.objects.filter(Q(code=population.code) | Q(name__iexact=population.name))
    if taken.exists():
        raise Conflict(
            _("A population with this code or name exists already."),
            fields={"code": [_("taken, or the name is")]},
        )
    full_clean(population, validate_constraints=True)
    with audit_context(actor=actor, reason="Population created"):
        try:
            with transaction.atomic():
                population.save()
        except IntegrityError:
            raise Conflict(
                _("A population with this code or name exists already."),
                fields={"code": [_("taken, or the name is")]},
            ) from None
    return population


@transaction.atomic
def population_make_default(*, actor: User, population: Population) -> Population:
    """The population used for every typing whose population is not given."""
    require(actor, Perm.POPULATIONS_MANAGE)
    with audit_context(actor=actor, reason=f"Default population: {population.code}"):
        Population.objects.select_for_update().filter(is_default=True).exclude(
            pk=population.pk
        ).update(is_default=False)
        Population.objects.filter(pk=population.pk).update(is_default=True)
    population.refresh_from_db()
    return population


@transaction.atomic
def haplotype_set_load(
    *,
    actor: User,
    population: Population,
    filename: str,
    chunks: Iterable[bytes],
    source: str,
    sample_size: int | None = None,
    file_format: str = FileFormat.CSV,
    note: str = "",
) -> HaplotypeSet:
    """Validate a frequency file and store it as the population's next version, which replaces
    the set in use. Problems name the line and token (`InvalidInput` on field ``file``)."""
    require(actor, Perm.POPULATIONS_MANAGE)
    content = _read_limited(filename, chunks)
    if file_format not in FileFormat.values:
        raise InvalidInput(
            _("Unknown file format %(format)r: use one of %(known)s.")
            % {"format": file_format, "known": ", ".join(FileFormat.values)},
            fields={"file_format": [_("unknown")]},
        )
    source = source.strip()
    if not source:
        raise InvalidInput(
            _("Say where the frequencies come from."), fields={"source": [_("required")]}
        )
    frequencies = _validated(content, filename, source, population, sample_size, file_format)
    locked = Population.objects.select_for_update().get(pk=population.pk)
    newest = locked.sets.aggregate(newest=Max("version"))["newest"]
    version = newest or 0
    haplotype_set = HaplotypeSet(
        population=locked,
        version=version + 1,
        actor=actor,
        note=note.strip(),
        source=source,
        sample_size=sample_size,
        imgt_release=frequencies.release,
        resolution=frequencies.resolution,
        loci="~".join(frequencies.loci),
        haplotype_count=len(frequencies),
        frequency_sum=float(frequencies.frequency.sum()),
        file_format=file_format,
        filename=Path(filename).name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    full_clean(haplotype_set, validate_constraints=False)
    with audit_context(actor=actor, reason=f"Haplotype set {locked.code} v{version + 1}"):
        haplotype_set.save()
    # The units of this population are imputed again by a worker, not by the next search; the
    # task is queued in this transaction (a row of the queue's table), so it commits with the set.
    from stemhub.cordblood.tasks import index_refresh_start  # cordblood depends on populations

    index_refresh_start(actor=actor, reason=f"{locked.code} v{version + 1}")
    return haplotype_set


def _too_large(filename: str) -> InvalidInput:
    return InvalidInput(
        _("%(name)s is larger than %(limit)d MB (uncompressed).")
        % {"name": filename, "limit": MAX_SET_BYTES // (1024 * 1024)},
        fields={"file": [_("too large")]},
    )


def _read_limited(filename: str, chunks: Iterable[bytes]) -> bytes:
    """The upload's bytes, refused as soon as they (or, gzipped, what they unpack to) pass
    `MAX_SET_BYTES`."""
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_SET_BYTES:
            raise _too_large(filename)
        parts.append(chunk)
    content = b"".join(parts)
    if not content:
        raise InvalidInput(_("The file is empty."), fields={"file": [_("empty")]})
    if content[:2] == b"\x1f\x8b":
        unpacked = 0
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
                while block := stream.read(1 << 20):
                    unpacked += len(block)
                    if unpacked > MAX_SET_BYTES:
                        raise _too_large(filename)
        except (OSError, EOFError) as error:
            raise InvalidInput(
                _("%(name)s is not a readable gzip file: %(error)s")
                % {"name": filename, "error": error},
                fields={"file": [_("not readable")]},
            ) from None
    return content


def _validated(
    content: bytes,
    filename: str,
    source: str,
    population: Population,
    sample_size: int | None,
    file_format: str,
) -> FrequencySet:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(filename).name or "frequencies.csv")
        path.write_bytes(content)
        try:
            return read_set(
                path,
                source=source,
                population=population.code,
                sample_size=sample_size,
                file_format=file_format,
            )
        except FrequencySetError as error:
            message, short = problem_words(filename, error)
            raise InvalidInput(message, fields={"file": [short]}) from None
