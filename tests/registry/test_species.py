"""Lines of other species than human: their own types (ESC, iPSC), no hPSCreg standard name,
never exported to hPSCreg (nor any draft), and a species facet in the catalogue."""

import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from stemhub.core.errors import InvalidInput
from stemhub.registry import naming
from stemhub.registry.models import CellLine, LineType
from stemhub.registry.name_services import standard_name_issue
from tests.catalogue.lines import make

pytestmark = pytest.mark.django_db

MOUSE = "Mus musculus"


def mouse_ipsc(curator, name="IRMR-MIPS1", **fields):
    fields = {"line_type": "iPSC", "species": MOUSE, **fields}
    return make(curator, name, **fields)


@pytest.mark.parametrize(
    ("name", "line_type", "species"),
    [
        ("IRMR-MIPS1", "hiPSC", MOUSE),
        ("IRMR-RES1", "hESC", "Oryctolagus cuniculus"),
        ("NSCBi001-A", "iPSC", naming.HUMAN),
    ],
)
def test_a_type_that_contradicts_the_species_is_refused_naming_the_type(
    users, name, line_type, species
):
    with pytest.raises(InvalidInput) as refused:
        make(users["curator"], name, line_type=line_type, species=species)
    assert list(refused.value.fields) == ["line_type"]
    assert "ESC or iPSC" in refused.value.message
    assert not CellLine.objects.exists()


def test_the_database_refuses_a_human_type_for_a_mouse_line(users):
    with pytest.raises(IntegrityError), transaction.atomic():
        CellLine.objects.create(
            name="X-1", line_type="hiPSC", species=MOUSE, institution=users["curator"].institution
        )


def test_an_animal_line_keeps_its_own_name_but_not_any_text(users):
    assert mouse_ipsc(users["curator"], "E14TG2a").name == "E14TG2a"
    with pytest.raises(InvalidInput) as refused:
        mouse_ipsc(users["curator"], "E14 TG2a")
    assert list(refused.value.fields) == ["name"]


def test_a_mouse_ipsc_is_registered_and_published_as_ipsc(users):
    line = mouse_ipsc(users["curator"])
    line.refresh_from_db()
    assert (line.line_type, line.species, line.status) == ("iPSC", MOUSE, "published")
    assert line.get_line_type_display() == "Induced pluripotent stem cell, non-human (iPSC)"


def test_the_type_of_a_line_follows_its_species():
    assert LineType.of(induced=True, species=naming.HUMAN) == LineType.HIPSC
    assert LineType.of(induced=False, species=naming.HUMAN) == LineType.HESC
    assert LineType.of(induced=True, species=MOUSE) == LineType.IPSC
    assert LineType.of(induced=False, species="Oryctolagus cuniculus") == LineType.ESC


def test_no_standard_name_is_issued_for_an_animal_line(users):
    with pytest.raises(InvalidInput) as refused:
        standard_name_issue(
            actor=users["curator"], provider_code="NSCB", type_letter="i", species=MOUSE
        )
    assert list(refused.value.fields) == ["species"]
    assert "human lines" in refused.value.message and MOUSE in refused.value.message
    assert standard_name_issue(actor=users["curator"], provider_code="NSCB", type_letter="i")


def test_the_naming_scheme_is_for_human_lines_only():
    assert naming.species_problem(naming.HUMAN) == ""
    assert "human lines" in naming.species_problem(MOUSE)


def test_only_published_human_lines_go_to_hpscreg(users, tmp_path):
    curator = users["curator"]
    make(curator, "NSCBi001-A")
    make(curator, "NSCBi002-A", publish=False)
    mouse_ipsc(curator)
    make(
        curator,
        "IRMR-RES1",
        species="Oryctolagus cuniculus",
        line_type="ESC",
        derivation_method="embryo",
        vector="",
        source_cell_type="",
        source_cell_type_id="",
    )
    out = tmp_path / "export.json"
    call_command("export", "hpscreg", "--out", str(out))
    assert [record["name"] for record in json.loads(out.read_text())] == ["NSCBi001-A"]


def test_the_catalogue_filters_by_species(users, client):
    curator = users["curator"]
    make(curator, "NSCBi001-A")
    mouse_ipsc(curator)
    everything = client.get("/api/v1/cell-lines").json()
    assert {c["value"]: c["count"] for c in everything["facets"]["species"]} == {
        naming.HUMAN: 1,
        MOUSE: 1,
    }
    mice = client.get("/api/v1/cell-lines", {"species": MOUSE}).json()
    assert [line["name"] for line in mice["items"]] == ["IRMR-MIPS1"]
    page = client.get("/lines/", {"species": MOUSE}).content.decode()
    assert "IRMR-MIPS1" in page and "NSCBi001-A" not in page
