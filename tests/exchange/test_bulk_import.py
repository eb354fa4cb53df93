"""Bulk import of a centre's own lines: CSV and XLSX, dry run, every bad cell, all or nothing."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from stemhub.exchange.bulk import COLUMN_NAMES, lines_import
from stemhub.registry.models import CellLine
from tests.jobs.queue import run_queued_tasks

GOOD = {
    "name": "NSCBi001-A",
    "line_type": "hiPSC",
    "synonyms": "AD-iPS-1;iPS-7",
    "derivation_method": "reprogramming",
    "vector": "sendai",
    "reprogramming_factors": "OCT4;SOX2;KLF4;MYC",
    "consent_obtained": "yes",
    "ethics_approval": "EC-2024-17",
    "str_profile": "TH01:6,9.3;vWA:17",
    "donor_code": "D-001",
    "donor_sex": "female",
    "donor_age_bin": "30-34",
    "donor_diseases": "DOID:10652|Alzheimer's disease",
    "markers": "OCT4:positive:97.5;NANOG:positive",
    "markers_method": "flow cytometry",
    "germ_layers": "endoderm:in_vitro_directed;mesoderm:in_vivo;ectoderm:in_vitro_directed",
    "karyotype": "46,XX",
    "karyotype_method": "G-banding",
    "karyotype_passage": "12",
    "xrefs": "BioSamples:SAMEA1234567",
}
SECOND = {"name": "NSCBi001-B", "line_type": "hiPSC", "donor_code": "D-001", "parent": ""}


def csv_bytes(rows: list[dict[str, str]], columns=None) -> bytes:
    columns = columns or sorted({key for row in rows for key in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    columns = sorted({key for row in rows for key in row})
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([int(row[c]) if row.get(c, "").isdigit() else row.get(c) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(users, bank, content: bytes, filename="lines.csv", dry_run=False) -> dict:
    return lines_import(
        actor=users["curator"],
        institution=bank,
        filename=filename,
        content=content,
        dry_run=dry_run,
    )


@pytest.mark.parametrize(("filename", "encode"), [("l.csv", csv_bytes), ("l.xlsx", xlsx_bytes)])
def test_each_row_becomes_a_line(users, bank, filename, encode):
    report = run(users, bank, encode([GOOD, SECOND]), filename)

    assert report["errors"] == []
    assert report["created"] == ["NSCBi001-A", "NSCBi001-B"]
    line = CellLine.objects.get(name="NSCBi001-A")
    assert line.institution == bank and line.status == "draft" and line.source == "own"
    assert sorted(line.synonyms.values_list("name", flat=True)) == ["AD-iPS-1", "iPS-7"]
    assert line.reprogramming_factors == ["OCT4", "SOX2", "KLF4", "MYC"]
    assert line.str_profile == {"TH01": ["6", "9.3"], "vWA": ["17"]}
    assert line.donor.sex == "female" and line.donor.age_bin == "30-34"
    assert [(d.term_id, d.label) for d in line.donor.diseases.all()] == [
        ("DOID:10652", "Alzheimer's disease")
    ]
    markers = {m.marker: (m.result, m.percent_positive) for m in line.markers.all()}
    assert str(markers["OCT4"][1]) == "97.50" and markers["NANOG"] == ("positive", None)
    assert {d.germ_layer: d.mode for d in line.differentiations.all()}["mesoderm"] == "in_vivo"
    karyotype = line.karyotypes.get()
    assert (karyotype.karyotype, karyotype.method, karyotype.passage) == ("46,XX", "G-banding", 12)
    assert CellLine.objects.get(name="NSCBi001-B").donor == line.donor


def test_a_dry_run_validates_and_writes_nothing(users, bank):
    report = run(users, bank, csv_bytes([GOOD, SECOND]), dry_run=True)

    assert report["errors"] == [] and report["created"] == ["NSCBi001-A", "NSCBi001-B"]
    assert not CellLine.objects.exists()


def test_every_bad_cell_is_reported_with_row_and_column(users, bank):
    bad = dict(
        SECOND,
        name="NSCBi002-A",
        line_type="hiPSCx",
        vector="plasmid",
        consent_obtained="maybe",
        derivation_date="01/03/2024",
        passage_at_reprogramming="three",
        donor_sex="f",
        donor_age_bin="31",
        donor_diseases="Alzheimer",
        markers="OCT4:strong",
        germ_layers="endoderm",
        str_profile="TH01",
        xrefs="SAMEA1",
    )
    no_name = dict(SECOND, name="")
    report = run(users, bank, csv_bytes([GOOD, bad, no_name]))

    found = {(e["row"], e["column"]) for e in report["errors"]}
    assert found == {
        (3, "line_type"),
        (3, "vector"),
        (3, "consent_obtained"),
        (3, "derivation_date"),
        (3, "passage_at_reprogramming"),
        (3, "donor_sex"),
        (3, "donor_age_bin"),
        (3, "donor_diseases"),
        (3, "markers"),
        (3, "markers_method"),
        (3, "germ_layers"),
        (3, "str_profile"),
        (3, "xrefs"),
        (4, "name"),
    }
    assert all(e["reason"] for e in report["errors"])
    assert report["created"] == []
    assert not CellLine.objects.exists()  # the good first row is not kept either


def test_what_the_registry_refuses_is_reported_on_its_row(users, bank):
    taken = dict(SECOND, name="NSCBi001-A")
    orphan = dict(SECOND, name="NSCBi003-A", parent="NSCBi999-Z")
    report = run(users, bank, csv_bytes([GOOD, taken, orphan]))

    assert {(e["row"], e["column"]) for e in report["errors"]} == {(3, "name"), (4, "parent")}
    assert not CellLine.objects.exists()


def test_unknown_and_missing_columns_are_errors(users, bank):
    content = csv_bytes([{"name": "NSCBi001-A", "colour": "blue"}])
    report = run(users, bank, content)
    assert {(e["row"], e["column"], e["reason"]) for e in report["errors"]} == {
        (1, "colour", "unknown column"),
        (1, "line_type", "missing column"),
    }


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(users, bank):
    report = run(users, bank, b"\x00\x01", filename="lines.xlsx")
    assert report["errors"][0]["column"] == "(file)"


def test_the_command_imports_and_reports(users, bank, tmp_path, capsys):
    path = tmp_path / "lines.csv"
    path.write_bytes(csv_bytes([GOOD]))
    call_command("import", "lines", str(path), "--as", "curator", "--dry-run")
    assert json.loads(capsys.readouterr().out)["created"] == ["NSCBi001-A"]
    assert not CellLine.objects.exists()

    call_command("import", "lines", str(path), "--as", "curator", "--institution", "NSCB")
    assert CellLine.objects.filter(name="NSCBi001-A").exists()


def test_the_command_fails_on_a_bad_sheet(users, bank, tmp_path):
    path = tmp_path / "lines.csv"
    path.write_bytes(csv_bytes([dict(GOOD, donor_sex="f")]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", "lines", str(path), "--as", "curator")
    assert not CellLine.objects.exists()


# Through the API.

URL = "/api/v1/imports/lines"


def upload(client, content: bytes, filename="lines.csv", **form):
    return client.post(URL, {"file": SimpleUploadedFile(filename, content), **form})


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("researcher", 403), ("bank_technician", 403), ("other_curator", 403)],
)
def test_only_editors_of_the_institution_may_import(client_for, bank, who, status):
    response = upload(client_for(who), csv_bytes([GOOD]), institution="NSCB")
    assert response.status_code == status
    assert response.json()["error"]["code"] in ("unauthenticated", "forbidden")
    assert not CellLine.objects.exists()


def test_a_curator_imports_through_the_api(client_for, bank):
    client = client_for("curator")
    dry = upload(client, csv_bytes([GOOD]), dry_run="true")
    assert dry.status_code == 200 and dry.json()["created"] == ["NSCBi001-A"]
    assert not CellLine.objects.exists()

    response = upload(client, xlsx_bytes([GOOD]), filename="lines.xlsx")
    assert response.status_code == 202, response.content  # registering is queued as a task
    assert response["Location"] == response.json()["links"]["self"]
    assert not CellLine.objects.exists()
    run_queued_tasks()
    done = client.get(response["Location"]).json()
    assert (done["state"], done["report"]["created"]) == ("succeeded", ["NSCBi001-A"])
    assert CellLine.objects.filter(name="NSCBi001-A", institution=bank).exists()


def test_the_api_reports_every_problem_at_once(client_for, bank):
    content = csv_bytes([dict(GOOD, donor_sex="f"), dict(SECOND, line_type="x")])
    response = upload(client_for("curator"), content, dry_run="true")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"row 2: donor_sex", "row 3: line_type"}
    assert not CellLine.objects.exists()


def test_the_templates_are_public(client):
    response = client.get(f"{URL}/template.csv")
    assert response.status_code == 200
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == list(COLUMN_NAMES)
    response = client.get(f"{URL}/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["Lines"][1]] == list(COLUMN_NAMES)
    assert workbook["Help"].max_row == len(COLUMN_NAMES) + 1


@pytest.mark.parametrize(("filename", "encode"), [("l.csv", csv_bytes), ("l.xlsx", xlsx_bytes)])
def test_chinese_names_and_text_are_imported_as_written(users, bank, filename, encode):
    chinese = {
        **GOOD,
        "name_zh": "阿尔茨海默病患者来源诱导多能干细胞系",
        "description": "由阿尔茨海默病患者皮肤成纤维细胞重编程获得。",
        "donor_diseases": "DOID:10652|阿尔茨海默病",
    }
    report = run(users, bank, encode([chinese]), filename)
    assert report["errors"] == []
    line = CellLine.objects.get(name="NSCBi001-A")
    assert line.name_zh == "阿尔茨海默病患者来源诱导多能干细胞系"
    assert line.description == "由阿尔茨海默病患者皮肤成纤维细胞重编程获得。"
    assert [(d.term_id, d.label) for d in line.donor.diseases.all()] == [
        ("DOID:10652", "Alzheimer's disease")
    ]
