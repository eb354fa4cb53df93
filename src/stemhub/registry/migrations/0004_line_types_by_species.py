"""Animal lines get their own types: a non-human line stored as hESC becomes ESC, as hiPSC
becomes iPSC (its catalogue entry and type facet with it); then the database refuses a human
type for another species and the reverse."""

from collections.abc import Iterable

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


HUMAN = "Homo sapiens"
RENAMES = (("hESC", "ESC"), ("hiPSC", "iPSC"))


def _retype(apps: StateApps, renames: Iterable[tuple[str, str]], human: bool) -> None:
    CellLine = apps.get_model("registry", "CellLine")
    Entry = apps.get_model("catalogue", "CatalogueEntry")
    FacetValue = apps.get_model("catalogue", "FacetValue")
    for old, new in renames:
        lines = CellLine.objects.filter(line_type=old)
        lines = lines.filter(species=HUMAN) if human else lines.exclude(species=HUMAN)
        ids = list(lines.values_list("pk", flat=True))
        CellLine.objects.filter(pk__in=ids).update(line_type=new)
        Entry.objects.filter(pk__in=ids).update(line_type=new)
        FacetValue.objects.filter(entry_id__in=ids, facet="type", value=old).update(value=new)


def split_animal_lines(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _retype(apps, RENAMES, human=False)


def merge_animal_lines(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _retype(apps, [(new, old) for old, new in RENAMES], human=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_access_committee_role"),
        ("registry", "0003_ethics_approval_date_and_publication_year"),
        ("catalogue", "0002_fulltext_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="cellline",
            name="line_type_known",
        ),
        migrations.AlterField(
            model_name="cellline",
            name="line_type",
            field=models.CharField(
                choices=[
                    ("hESC", "Human embryonic stem cell (hESC)"),
                    ("NT-ESC", "Nuclear-transfer ESC (NT-ESC)"),
                    ("pESC", "Parthenogenetic ESC"),
                    ("hiPSC", "Human induced pluripotent stem cell (hiPSC)"),
                    ("ESC", "Embryonic stem cell, non-human (ESC)"),
                    ("iPSC", "Induced pluripotent stem cell, non-human (iPSC)"),
                ],
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="cellline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("line_type__in", ["hESC", "NT-ESC", "pESC", "hiPSC", "ESC", "iPSC"])
                ),
                name="line_type_known",
            ),
        ),
        migrations.RunPython(split_animal_lines, merge_animal_lines),
        migrations.AddConstraint(
            model_name="cellline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        models.Q(("line_type__in", ["hESC", "hiPSC"]), _negated=True),
                        ("species", "Homo sapiens"),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("line_type__in", ["ESC", "iPSC"]), _negated=True),
                        models.Q(("species", "Homo sapiens"), _negated=True),
                        _connector="OR",
                    ),
                ),
                name="line_type_fits_species",
                violation_error_message="hESC and hiPSC are human lines; a line of another species is ESC or iPSC.",
            ),
        ),
    ]
