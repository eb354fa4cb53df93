"""hPSCreg exchange: export → import → export is exact; imports are idempotent, all or nothing."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stemhub.registry import services
from stemhub.registry.models import CellLine, LineVersion, Source, Status
from tests.registry.lines import publishable


def rich_lines(users) -> None:
    curator = users["curator"]
    parent = services.cell_line_create(
        actor=curator,
        data=publishable(
            "NSCBi001-A",
            hla_typing="HLA-A*02:01+HLA-A*03:01^HLA-B*07:02^HLA-DRB1*15:01+HLA-DRB1*04:01",
            str_profile={"TH01": ["6", "9.3"], "vWA": ["17"], "D5S818": ["11", "12"]},
            reprogramming_factors=["OCT4", "SOX2", "KLF4", "MYC"],
            vector_excisable=False,
            derivation_country="DE",
            culture_medium="mTeSR1",
            karyotypes=[{"karyotype": "46,XX", "method": "G-banding", "passage": 12}],
            pluritests=[{"pluripotency_score": 31.5, "novelty_score": 1.2, "passage": 10}],
            publications=[{"pmid": "12345678", "title": "A line"}],
            clinical_studies=[{"nct_id": "NCT03119636", "title": "A study"}],
            omics=[{"kind": "genome", "repository": "EGA", "accession": "EGAD00001000001"}],
            xrefs=[
                {"database": "BioSamples", "accession": "SAMEA1234567"},
                {"database": "Wikidata", "accession": "Q1"},
            ],
            use_commercial=False,
        ),
    )
    for step in (services.cell_line_submit, services.cell_line_start_review):
        step(actor=curator, line=parent)
    services.cell_line_publish(actor=curator, line=parent)
    services.cell_line_set_availability(actor=curator, line=parent, availability="available")
    subclone = services.cell_line_create(
        actor=curator,
        data=publishable(
            "NSCBi001-A-1",
            parent="NSCBi001-A",
            vector="episomal",
            donor={"code": "D-001"},
            synonyms=[],
            modifications=[
                {
                    "kind": "knock_in",
                    "gene": "APOE",
                    "hgvs": "NM_000041.4:c.388T>C",
                    "zygosity": "homozygous",
                    "method": "CRISPR/Cas9",
                    "isogenic_control": "NSCBi001-A",
                }
            ],
        ),
    )
    for step in (services.cell_line_submit, services.cell_line_start_review):
        step(actor=curator, line=subclone)
    services.cell_line_publish(actor=curator, line=subclone)
    services.cell_line_create(  # a draft: not exported
        actor=curator,
        data={"name": "NSCBe002-A", "line_type": "hESC", "derivation_method": "embryo"},
    )


def export_document(tmp_path: Path, name: str) -> str:
    out = tmp_path / name
    call_command("export", "hpscreg", "--out", str(out))
    return out.read_text()


@pytest.mark.django_db(transaction=True)
def test_export_import_export_gives_the_same_document(users, tmp_path):
    rich_lines(users)
    first = export_document(tmp_path, "first.json")
    call_command("flush", "--no-input")
    assert not CellLine.objects.exists()

    with (tmp_path / "o").open("w") as out:
        call_command("import", "hpscreg", str(tmp_path / "first.json"), stdout=out)

    assert export_document(tmp_path, "second.json") == first
    records = json.loads(first)
    assert [r["name"] for r in records] == ["NSCBi001-A", "NSCBi001-A-1"]
    line = CellLine.objects.get(name="NSCBi001-A")
    assert line.source == Source.HPSCREG and line.status == Status.PUBLISHED
    assert line.availability == "available"
    assert CellLine.objects.get(name="NSCBi001-A-1").parent == line


def test_export_maps_the_hpscreg_field_groups(users, tmp_path):
    rich_lines(users)
    record = json.loads(export_document(tmp_path, "x.json"))[0]
    assert record["name"] == "NSCBi001-A"
    assert record["alternate_name"] == ["AD-iPS-1"]
    assert record["biosamples_id"] == "SAMEA1234567"
    assert record["providers"] == [
        {"code": "NSCB", "name": "National Stem Cell Bank", "role": "generator"},
        {"code": "NSCB", "name": "National Stem Cell Bank", "role": "owner"},
    ]
    assert record["donor"]["id"] == "NSCB:D-001" and record["donor"]["gender"] == "female"
    assert record["donor_age"] == "30-34" and record["disease_flag"] is True
    assert record["diseases"][0]["purl"] == "http://purl.obolibrary.org/obo/DOID_10652"
    assert record["vector_type"] == "non_integrating"
    assert record["non_integrating_vector"] == "sendai_virus"
    assert record["non_integrating_vector_gene_list"] == ["OCT4", "SOX2", "KLF4", "MYC"]
    assert record["hla_i_a_all1"] == "A*02:01" and record["hla_i_a_all2"] == "A*03:01"
    assert record["hla_ii_dr_all2"] == "DRB1*04:01" and record["hla_i_c_all1"] == ""
    assert {"marker": "TH01", "allele1": "6", "allele2": "9.3"} in record["fingerprinting"]
    assert record["karyotyping_karyotype"] == "46,XX"
    assert record["characterisation_pluritest_data"]["pluripotency_score"] == 31.5
    assert record["characterisation_differentiation_potency_endoderm_data"] == [
        {
            "cell_type": "",
            "marker_list": "",
            "in_vivo_teratoma_flag": False,
            "in_vitro_spontaneous_differentiation_flag": False,
            "in_vitro_directed_differentiation_flag": True,
        }
    ]


def hpscreg_records() -> list[dict]:
    """Two records as hPSCreg exports them, keys it has and we do not hold included."""
    parent = {
        "id": 1234,
        "name": "UKBi005-A",
        "alternate_name": ["iPS-Ctrl-5"],
        "biosamples_id": "SAMEA3948172",
        "status": "published",
        "availability": "available",
        "providers": [
            {"code": "UKB", "name": "University Hospital Bonn", "role": "generator"},
            {"code": "MNZTAS", "name": "A centre with a long code", "role": "owner"},
        ],
        "derivation_country": "DE",
        "subclone_of": None,
        "type": "hiPSC",
        "donor": {"id": "UKB-D5", "gender": "male", "ethnicity": "", "family_history": ""},
        "donor_age": "45-49",
        "disease_flag": True,
        "diseases": [
            {
                "purl": "http://www.orpha.net/ORDO/Orphanet_558",
                "name": "Marfan syndrome",
                "primary": True,
                "affected": True,
                "carrier": False,
                "stage": "",
                "variants": [],
            }
        ],
        "primary_celltype_ont_id": "CL:0000057",
        "primary_celltype_name": "fibroblast",
        "vector_type": "integrating",
        "integrating_vector": "lentivirus",
        "integrating_vector_gene_list": ["OCT4", "SOX2"],
        "rock_inhibitor_used_at_thaw_flag": True,
        "virology_screening_mycoplasma_result": "negative",
        "hla_flag": True,
        "hla_i_a_all1": "A*01:01",
        "hla_i_a_all2": "02:01",
        "fingerprinting": [{"marker": "TH01", "allele1": "7", "allele2": "9.3"}],
        "characterisation_marker_expression_data": [
            {"marker": "NANOG", "method": "qPCR", "expressed": True, "percent_positive": 95}
        ],
    }
    child = {"name": "UKBi005-A-1", "type": "hiPSC", "subclone_of": "UKBi005-A", "status": "draft"}
    return [child, parent]  # the subclone first: the import orders them


def import_records(tmp_path, records) -> dict:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    out = tmp_path / "summary.json"
    call_command("import", "hpscreg", str(path), stdout=out.open("w"))
    return json.loads(out.read_text())


def test_an_hpscreg_record_becomes_a_line(db, tmp_path):
    summary = import_records(tmp_path, hpscreg_records())

    assert summary["cell_lines"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert "'MNZTAS' cannot name an institution here" in summary["warnings"][0]
    line = CellLine.objects.get(name="UKBi005-A")
    assert (line.source, line.external_accession) == ("hpscreg", "1234")
    assert line.status == "published" and line.availability == "available"
    assert line.vector == "lentiviral" and line.vector_integrating is True
    assert line.hla_typing == "HLA-A*01:01+HLA-A*02:01"
    assert line.str_profile == {"TH01": ["7", "9.3"]}
    assert line.donor.code == "UKB-D5" and line.donor.age_bin == "45-49"
    assert [(d.ontology, d.term_id) for d in line.donor.diseases.all()] == [
        ("ORDO", "Orphanet_558")
    ]
    assert [(p.institution.provider_code, p.role) for p in line.providers.all()] == [
        ("UKB", "generator")
    ]
    assert set(line.xrefs.values_list("database", "accession")) == {("BioSamples", "SAMEA3948172")}
    assert CellLine.objects.get(name="UKBi005-A-1").parent == line


def test_a_second_import_changes_nothing(db, tmp_path):
    import_records(tmp_path, hpscreg_records())
    versions = LineVersion.objects.count()

    summary = import_records(tmp_path, hpscreg_records())

    assert summary["cell_lines"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert LineVersion.objects.count() == versions


def test_a_changed_record_updates_a_published_line_with_a_version(db, tmp_path):
    import_records(tmp_path, hpscreg_records())
    records = hpscreg_records()
    records[1]["alternate_name"] = ["iPS-Ctrl-5", "Bonn-5"]
    records[1]["donor_age"] = "50-54"

    summary = import_records(tmp_path, records)

    assert summary["cell_lines"] == {"created": 0, "updated": 1, "unchanged": 1}
    line = CellLine.objects.get(name="UKBi005-A")
    version = LineVersion.objects.filter(line=line).order_by("number").last()
    assert version.note == "As recorded in hPSCreg"
    assert version.changes["synonyms"] == [["iPS-Ctrl-5"], ["Bonn-5", "iPS-Ctrl-5"]]
    assert line.donor.age_bin == "50-54"


def test_lines_registered_here_are_never_overwritten(users, tmp_path):
    rich_lines(users)
    records = json.loads(export_document(tmp_path, "x.json"))
    records[0]["culture_conditions_medium_culture_medium"] = "E8"
    path = tmp_path / "x.json"
    path.write_text(json.dumps(records))
    out = tmp_path / "o"
    call_command("import", "hpscreg", str(path), stdout=out.open("w"))
    assert json.loads(out.read_text())["kept"] == ["NSCBi001-A", "NSCBi001-A-1"]
    assert CellLine.objects.get(name="NSCBi001-A").culture_medium == "mTeSR1"


def test_a_bad_record_names_record_and_key_and_imports_nothing(db, tmp_path):
    good = {"name": "ABCi001-A", "type": "hiPSC"}
    bad = {"name": "ABCi002-A", "type": "hiPSC", "donor": {"id": "D1", "gender": "female"}}
    bad["diseases"] = [{"purl": "http://example.org/X_1", "name": "X"}]
    path = tmp_path / "records.json"
    path.write_text(json.dumps([good, bad]))

    with pytest.raises(CommandError, match=r"record 1 .*'ABCi002-A'.*key 'diseases\[0\]\.purl'"):
        call_command("import", "hpscreg", str(path))
    assert not CellLine.objects.exists()


def test_an_unknown_key_is_an_error(db, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"name": "ABCi001-A", "type": "hiPSC", "colour": "blue"}))
    with pytest.raises(CommandError, match=r"'ABCi001-A'.*key 'colour': unknown key"):
        call_command("import", "hpscreg", str(path))


def test_a_value_the_registry_refuses_names_the_record(db, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps([{"name": "ABCi001-A", "type": "hiPSC", "donor_age": "31"}]))
    with pytest.raises(CommandError, match=r"record 0 .*'ABCi001-A'"):
        call_command("import", "hpscreg", str(path))
    assert not CellLine.objects.exists()
