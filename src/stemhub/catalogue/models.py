"""The public catalogue's search index: one row per published line, and its facet values.

Derived from the registry by `catalogue_entry_refresh` whenever a line is published or
changes; `stemhub catalogue rebuild` recomputes it all. It exists so that search with facet
counts over tens of thousands of lines is one indexed query instead of a dozen joins. On
PostgreSQL the search text has a full-text index (migration 0002) and, for Chinese, trigram
indexes on it and on its grams (migration 0003, `catalogue.grams`).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from stemhub.core.names import name_pair
from stemhub.registry.models import CellLine


class Facet(models.TextChoices):
    TYPE = "type", _("Type")
    SPECIES = "species", _("Species")
    DISEASE = "disease", _("Disease")
    SEX = "sex", _("Donor sex")
    AGE = "age", _("Donor age")
    METHOD = "method", _("Derivation method")
    VECTOR = "vector", _("Vector")
    MODIFIED = "modified", _("Genetically modified")
    GENE = "gene", _("Modified gene")
    CLINICAL = "clinical", _("Clinical grade")
    AVAILABILITY = "availability", _("Availability")
    PROVIDER = "provider", _("Provider")
    DATA = "data", _("Data available")


class CatalogueEntry(models.Model):
    line = models.OneToOneField(
        CellLine, on_delete=models.CASCADE, primary_key=True, related_name="catalogue_entry"
    )
    name = models.CharField(max_length=64, unique=True)
    name_zh = models.CharField(max_length=200, blank=True, default="", db_default="")
    line_type = models.CharField(max_length=8)
    species = models.CharField(max_length=64)
    availability = models.CharField(max_length=16)
    institution_name = models.CharField(max_length=200)
    institution_name_zh = models.CharField(max_length=200, blank=True, default="", db_default="")
    summary = models.CharField(max_length=300, help_text="Diseases or 'healthy donor'")
    summary_zh = models.CharField(
        max_length=300, blank=True, default="", db_default="", help_text="The diseases in Chinese"
    )
    names_text = models.TextField(
        help_text="Name, synonyms and Chinese name, lower case, one per line"
    )
    search_text = models.TextField(help_text="Everything searchable, lower case")
    search_grams = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="The CJK characters and character pairs of the search text (catalogue.grams)",
    )
    published_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["name"]

    @property
    def summary_display(self) -> str:
        """The diseases in the interface language, where their Chinese names are known."""
        return name_pair(self.summary, self.summary_zh)[0] if self.summary_zh else self.summary

    @property
    def institution_display_name(self) -> str:
        """The provider's name in the interface language, where it has one."""
        return name_pair(self.institution_name, self.institution_name_zh)[0]


class FacetValue(models.Model):
    entry = models.ForeignKey(CatalogueEntry, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=16, choices=Facet.choices)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "facet", "value"], name="facet_value_once")
        ]
        indexes = [models.Index(fields=["facet", "value", "entry"], name="facet_value_lookup")]


class CatalogueState(models.Model):
    """One row whose token changes with every write to the catalogue, so that processes know
    when their in-memory facet index is stale."""

    token = models.CharField(max_length=32)

    @classmethod
    def current_token(cls) -> str:
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or ""

    @classmethod
    def bump(cls) -> None:
        cls.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
