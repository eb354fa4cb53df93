"""Reference data drawn from outside registries: the STR reference library (Cellosaurus)."""

from django.db import models
from django.utils import timezone


class StrReference(models.Model):
    """The STR profile of one Cellosaurus entry, whatever its category, for identity checks.

    `profile` maps each locus to its alternatives: a list of allele lists, one per variant the
    sources report. Most loci have one alternative; where sources disagree there are several,
    and a CLASTR-style search scores every combination (domain guide §5). `variant_sources`
    names, for such loci only, the sources behind each alternative in the same order.
    """

    accession = models.CharField(max_length=32, unique=True, help_text="Cellosaurus AC")
    name = models.CharField(max_length=200, db_index=True)
    species = models.CharField(max_length=64, db_index=True)
    category = models.CharField(max_length=64)
    profile = models.JSONField(help_text='Locus → alternatives, e.g. {"TH01": [["6", "9.3"]]}')
    sources = models.JSONField(default=list, help_text="The Source(s) line, one item per source")
    variant_sources = models.JSONField(
        default=dict, help_text='Locus → sources per alternative, e.g. {"FGA": [["ATCC"], [..]]}'
    )
    release = models.CharField(max_length=32, blank=True, help_text="Cellosaurus release")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accession"]
        verbose_name = "STR reference profile"

    def __str__(self) -> str:
        return f"{self.name} ({self.accession})"

    @property
    def has_alternatives(self) -> bool:
        return any(len(alternatives) > 1 for alternatives in self.profile.values())
