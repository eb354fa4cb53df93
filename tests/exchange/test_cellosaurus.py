"""Cellosaurus import: stem cell lines and the STR reference library from the flat file."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stemhub.exchange.cellosaurus import age_bin, hla_gl_string
from stemhub.exchange.models import StrReference
from stemhub.registry.models import CellLine, CrossReference, Donor, Synonym
from stemhub.registry.selectors import resolve_name

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / ".." / "shared" / "cellosaurus" / "cellosaurus_head_1000.txt"

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/cellosaurus is missing")


def run(path: Path, *args: str) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("import", "cellosaurus", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def entries(text: str) -> list[str]:
    """The entries of a flat file, each with its `//`."""
    body = text[text.index("\nID   ") + 1 :]
    return [chunk + "//\n" for chunk in body.split("//\n") if chunk.strip()]


def small_file(tmp_path: Path, chunks: list[str], name="small.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(chunks))
    return path


def test_the_sample_gives_107_stem_cell_lines_and_88_str_profiles(db):
    summary = run(SAMPLE)

    assert summary["entries"] == 1000
    assert summary["cell_lines"] == {"created": 107, "updated": 0, "unchanged": 0}
    assert summary["by_category"]["Induced pluripotent stem cell"] == 99
    assert summary["by_category"]["Embryonic stem cell"] == 8
    assert sum(summary["by_category"].values()) == 1000
    assert summary["by_species"] == {
        "Homo sapiens": 95,
        "Mus musculus": 9,
        "Macaca fascicularis": 3,
    }
    assert summary["str_profiles"] == {"created": 88, "updated": 0, "unchanged": 0}
    assert CellLine.objects.filter(source="cellosaurus").count() == 107
    assert StrReference.objects.count() == 88


def test_the_type_of_each_line_follows_its_species(db):
    run(SAMPLE)
    lines = CellLine.objects.filter(source="cellosaurus")
    human = set(lines.filter(species="Homo sapiens").values_list("line_type", flat=True))
    animal = lines.exclude(species="Homo sapiens")
    assert human <= {"hESC", "hiPSC"}
    assert animal.count() == 12  # 9 mouse, 3 crab-eating macaque
    assert set(animal.values_list("line_type", flat=True)) <= {"ESC", "iPSC"}
    assert animal.filter(species="Mus musculus", line_type="iPSC").exists()


def test_a_second_run_changes_nothing(db):
    run(SAMPLE)
    before = (CellLine.objects.count(), Synonym.objects.count(), CrossReference.objects.count())

    summary = run(SAMPLE)

    assert summary["cell_lines"] == {"created": 0, "updated": 0, "unchanged": 107}
    assert summary["str_profiles"] == {"created": 0, "updated": 0, "unchanged": 88}
    after = (CellLine.objects.count(), Synonym.objects.count(), CrossReference.objects.count())
    assert after == before


def test_a_stem_cell_entry_becomes_a_published_reference_line(db):
    run(SAMPLE)
    line = CellLine.objects.get(external_accession="CVCL_A062")

    assert line.name == "201B1" and line.line_type == "hiPSC"
    assert (line.source, line.external_release) == ("cellosaurus", "29.0")
    assert line.status == "published" and line.published_at is not None
    assert line.institution.provider_code == "CVCL" and line.institution.kind == "registry"
    assert line.species == "Homo sapiens" and line.derivation_method == "reprogramming"
    assert line.donor.sex == "female" and line.donor.age_bin == "35-39"
    assert line.str_profile["TH01"] == ["5"] and line.str_profile["D13S317"] == ["10", "14"]
    assert line.description == "Derived from HDF1388 (Cellosaurus CVCL_DP59)."
    assert set(line.synonyms.values_list("name", flat=True)) == {"201-B1", "KUIFMSi004-A"}
    assert ("hPSCreg", "KUIFMSi004-A") in set(line.xrefs.values_list("database", "accession"))
    assert ("Cellosaurus", "CVCL_A062") in set(line.xrefs.values_list("database", "accession"))


def test_a_line_is_found_by_its_hpscreg_name(db):
    run(SAMPLE)
    assert resolve_name("KUIFMSi004-A").name == "201B1"
    assert resolve_name("KUIFMSi011-E").external_accession == "CVCL_C247"


def test_lines_from_the_same_individual_share_a_donor_with_its_diseases(db):
    run(SAMPLE)
    one = CellLine.objects.get(external_accession="CVCL_T913")
    two = CellLine.objects.get(external_accession="CVCL_T914")
    assert one.donor == two.donor
    assert [(d.ontology, d.term_id, d.label) for d in one.donor.diseases.all()] == [
        ("NCIt", "C137959", "Long QT syndrome 3")
    ]
    mouse = CellLine.objects.get(name="1C9")
    assert mouse.species == "Mus musculus" and mouse.line_type == "ESC"
    assert mouse.donor.age_bin == "embryo"
    assert Donor.objects.filter(cell_lines__isnull=True).count() == 0


def test_the_str_library_keeps_every_source_variant(db):
    run(SAMPLE)
    # 105KC, a cancer line (lines 1168-1208 of the sample): two sources disagree on 4 loci.
    ref = StrReference.objects.get(accession="CVCL_M605")
    assert (ref.name, ref.species, ref.category) == ("105KC", "Homo sapiens", "Cancer cell line")
    assert ref.sources == ["Microsynth", "PubMed=25877200"]
    assert ref.profile["D13S317"] == [["8", "11"], ["8"]]
    assert ref.profile["D16S539"] == [["9", "12", "14"], ["9", "14"]]
    assert ref.profile["FGA"] == [["21", "23"], ["23"]]
    assert ref.profile["D21S11"] == [["31.2", "32.2"]]
    assert ref.profile["Penta D"] == [["13"]] and ref.profile["Amelogenin"] == [["X"]]
    assert ref.variant_sources["FGA"] == [["PubMed=25877200"], ["Microsynth"]]
    assert set(ref.variant_sources) == {"D13S317", "D16S539", "D18S51", "FGA"}
    assert len(ref.profile) == 16 and ref.has_alternatives
    # 201B1 (lines 10409-10425): one source, 16 loci, no alternatives.
    ref = StrReference.objects.get(accession="CVCL_A062")
    assert ref.category == "Induced pluripotent stem cell" and not ref.has_alternatives
    assert ref.profile["vWA"] == [["15", "18"]] and ref.profile["CSF1PO"] == [["10"]]
    assert len(ref.profile) == 16 and ref.release == "29.0"


def test_a_changed_entry_is_updated(db, tmp_path):
    run(SAMPLE)
    text = SAMPLE.read_text()
    text = text.replace("SY   201-B1; KUIFMSi004-A\n", "SY   KUIFMSi004-A\n")
    text = text.replace("DI   NCIt; C137959; Long QT syndrome 3\n", "", 1)
    text = text.replace(
        "OI   CVCL_UP39 ! 1383D6\nSX   Male", "OI   CVCL_UP39 ! 1383D6\nSX   Female"
    )
    summary = run(small_file(tmp_path, [text]))

    # 201B1 lost a synonym; 1383D2 and 1383D6 share a donor whose sex changed; the donor of
    # 090727 LQT3/BrS g1 and g2 keeps the disease g2 still names.
    assert summary["cell_lines"] == {"created": 0, "updated": 3, "unchanged": 104}
    line = CellLine.objects.get(name="201B1")
    assert set(line.synonyms.values_list("name", flat=True)) == {"KUIFMSi004-A"}
    assert CellLine.objects.get(name="1383D6").donor.sex == "female"
    donor = CellLine.objects.get(external_accession="CVCL_T913").donor
    assert [d.label for d in donor.diseases.all()] == ["Long QT syndrome 3"]


def bad_file(tmp_path: Path) -> tuple[Path, int]:
    """Five entries of the sample, the fourth with an unreadable STR value; its line number."""
    chunks = entries(SAMPLE.read_text())[:5]
    chunks[3] = chunks[3].replace("CA   ", "ST   Source(s): ATCC\nST   TH01: six\nCA   ")
    text = "".join(chunks)
    line = text.splitlines().index("ST   TH01: six") + 1
    return small_file(tmp_path, chunks), line


def test_a_malformed_entry_is_reported_with_its_line_and_nothing_is_imported(db, tmp_path):
    path, line = bad_file(tmp_path)
    with pytest.raises(CommandError, match=rf"line {line}: STR locus TH01: six is not an allele"):
        run(path, "--release", "29.0")
    assert not CellLine.objects.exists() and not StrReference.objects.exists()


def test_a_malformed_entry_rolls_back_a_release_over_existing_data(db, tmp_path):
    run(SAMPLE)
    before = list(CellLine.objects.values_list("name", "external_release"))
    text = SAMPLE.read_text().replace("Version: 29.0", "Version: 30.0")
    text = text.replace("AC   CVCL_A062\n", "AC   CVCL_A062\nSX   Female\nSX   Male\n", 1)
    with pytest.raises(CommandError, match=r"line \d+: SX may occur only once"):
        run(small_file(tmp_path, [text]))
    assert list(CellLine.objects.values_list("name", "external_release")) == before


def test_skip_invalid_leaves_the_entry_out_and_lists_it(db, tmp_path):
    path, line = bad_file(tmp_path)
    summary = run(path, "--release", "29.0", "--skip-invalid")
    assert summary["entries"] == 4
    assert summary["skipped"] == [
        {
            "line": line,
            "id": summary["skipped"][0]["id"],
            "reason": "STR locus TH01: six is not an allele",
        }
    ]


def test_a_file_without_header_needs_a_release(db, tmp_path):
    path = small_file(tmp_path, entries(SAMPLE.read_text())[:3])
    with pytest.raises(CommandError, match="--release"):
        run(path)
    assert run(path, "--release", "48.0")["entries"] == 3


def test_an_unterminated_last_entry_is_malformed(db, tmp_path):
    chunks = entries(SAMPLE.read_text())[:2]
    chunks[1] = chunks[1].removesuffix("//\n")
    with pytest.raises(CommandError, match="does not end with '//'"):
        run(small_file(tmp_path, chunks), "--release", "1")


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        ("36Y", "35-39"),
        ("30Y6M", "30-34"),
        ("106Y", "100+"),
        ("<1M", "0-4"),
        ("19FW", "fetus"),
        ("Blastocyst stage", "embryo"),
        ("30-39Y", ""),
        ("Adult", ""),
        ("Age unspecified", ""),
    ],
)
def test_ages_become_five_year_bins_where_they_can(age, expected):
    assert age_bin(age) == expected


def test_hla_comments_become_gl_strings():
    comment = "A*02:01,02:06; B*40:01:02:01,67:01:01; DQB1*05:01:01;06:03:01:02 (IMGT/HLA; 11548)."
    assert hla_gl_string(comment) == (
        "HLA-A*02:01+HLA-A*02:06^HLA-B*40:01:02:01+HLA-B*67:01:01"
        "^HLA-DQB1*05:01:01+HLA-DQB1*06:03:01:02"
    )
