from django.contrib import admin

from stemhub.core.admin import ReadOnlyAdmin
from stemhub.registry import models


class SynonymInline(admin.TabularInline[models.Synonym, models.CellLine]):
    model = models.Synonym
    extra = 0


class ProviderInline(admin.TabularInline[models.Provider, models.CellLine]):
    model = models.Provider
    extra = 0


@admin.register(models.CellLine)
class CellLineAdmin(admin.ModelAdmin[models.CellLine]):
    list_display = ("name", "line_type", "species", "institution", "status", "availability")
    list_filter = ("line_type", "status", "availability", "source", "species", "clinical_grade")
    search_fields = ("name", "synonyms__name", "external_accession")
    inlines = [SynonymInline, ProviderInline]
    raw_id_fields = ("donor", "parent")


@admin.register(models.Donor)
class DonorAdmin(admin.ModelAdmin[models.Donor]):
    list_display = ("code", "institution", "sex", "age_bin")
    search_fields = ("code",)


# Append-only history (the database refuses changes to it too): read-only here.
admin.site.register(
    [models.IssuedName, models.LineVersion, models.AvailabilityChange, models.CurationEvent],
    ReadOnlyAdmin,
)
