"""`stemhub str search` on the real Cellosaurus sample and on the database's profiles."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stemhub.exchange.models import StrReference
from stemhub.registry.models import CellLine

SAMPLE = (
    Path(__file__).resolve().parents[3] / "shared" / "cellosaurus" / "cellosaurus_head_1000.txt"
)

# 143B (CVCL_2270) as its ATCC/ECACC sources report it. Two other sources' paper
# (PubMed=19787792) reports D5S818 13,14 and vWA 18,19 instead.
Q_143B = (
    "Amelogenin:X;CSF1PO:12;D13S317:12;D16S539:10,13;D18S51:17;D19S433:13;D21S11:31.2,32.2;"
    "D2S1338:24,25;D3S1358:15;D5S818:13;D7S820:11,12;D8S1179:11,14;FGA:24;Penta D:9,10;"
    "Penta E:7,12;SE33:21;TH01:6;TPOX:11;vWA:18"
)
# 143.98.2 (CVCL_3476), a derivative of 143B typed on the 8 ATCC core loci.
Q_143_98_2 = (
    "Amelogenin:X;CSF1PO:12;D13S317:12;D16S539:10,13;D5S818:13;D7S820:11,12;TH01:6;TPOX:11;vWA:18"
)


def search(*args: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("str", "search", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_an_entrys_own_profile_comes_back_first_with_100():
    table = search("--query", Q_143B, "--reference-file", str(SAMPLE))
    assert table[0] == ["accession", "name", "markers", "score", "kind"]
    # 18 STR loci without Amelogenin. Best: the ATCC/ECACC profile, identical (100 %).
    # Worst: D5S818 13,14 and vWA 18,19 add 2 reference alleles: Q 25, R 27, shared 25
    # → 2×25/52 = 96.15 %.
    assert table[1:3] == [
        ["CVCL_2270", "143B", "18", "100.00", "best"],
        ["CVCL_2270", "143B", "18", "96.15", "worst"],
    ]
    # Its derivatives share the 8 core loci only: 10 alleles each way, all shared → 100 %,
    # listed after 143B (fewer markers), by accession.
    assert [row[0] for row in table[3:5]] == ["CVCL_3476", "CVCL_3477"]
    assert table[3] == ["CVCL_3476", "143.98.2", "8", "100.00", "single"]


def test_a_related_line_scored_by_hand():
    table = search("--query", Q_143_98_2, "--reference-file", str(SAMPLE))
    rows = {(row[0], row[4]): row for row in table[1:]}
    # vs 143B on the 8 common loci: Q 1+1+2+1+2+1+1+1 = 10 alleles.
    # ATCC profile: identical → 100 %. Paper profile: R 10+2 = 12, shared 10 → 20/22 = 90.91 %.
    assert rows[("CVCL_2270", "best")][2:4] == ["8", "100.00"]
    assert rows[("CVCL_2270", "worst")][2:4] == ["8", "90.91"]


def test_min_markers_and_modes_on_the_sample():
    # The derivatives are scored on 8 markers only: gone with --min-markers 9.
    table = search("--query", Q_143B, "--reference-file", str(SAMPLE), "--min-markers", "9")
    assert {row[0] for row in table[1:]} == {"CVCL_2270"}
    # Query markers: 143.98.2 is scored on all 18 query loci: Q 25, R 10, shared 10 →
    # 20/35 = 57.14 %, under the default filter of 60 but over 50.
    args = ("--query", Q_143B, "--reference-file", str(SAMPLE), "--mode", "query")
    assert "CVCL_3476" not in {row[0] for row in search(*args)}
    rows = {row[0]: row for row in search(*args, "--score-filter", "50")}
    assert rows["CVCL_3476"][2:5] == ["18", "57.14", "single"]


def test_json_output_carries_the_same_results():
    out = io.StringIO()
    call_command(
        "str",
        "search",
        "--query",
        Q_143B,
        "--reference-file",
        str(SAMPLE),
        "--format",
        "json",
        stdout=out,
    )
    payload = json.loads(out.getvalue())
    assert payload["searched"] == 88
    first = payload["results"][0]
    assert (first["accession"], first["score"], first["kind"], first["reading"]) == (
        "CVCL_2270",
        100.0,
        "best",
        "same",
    )


def test_a_bad_query_names_the_token_and_fails():
    with pytest.raises(CommandError, match="'12x'"):
        search("--query", "CSF1PO:12x;TH01:6", "--reference-file", str(SAMPLE))


def test_an_unreadable_reference_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        search("--query", "TH01:6", "--reference-file", str(tmp_path / "missing.txt"))


@pytest.mark.django_db
def test_without_a_file_it_searches_the_library_and_the_registry(bank):
    StrReference.objects.create(
        accession="CVCL_T001",
        name="Library line",
        species="Homo sapiens",
        category="Cancer cell line",
        profile={
            locus: [alleles.split(",")]
            for locus, alleles in (part.split(":") for part in Q_143_98_2.split(";"))
        }
        | {"TPOX": [["11"], ["8", "11"]]},
        variant_sources={"TPOX": [["ATCC"], ["DSMZ"]]},
    )
    own = {
        locus: alleles.split(",")
        for locus, alleles in (part.split(":") for part in Q_143_98_2.split(";"))
    }
    own["vWA"] = ["17", "18"]
    CellLine.objects.create(name="NSCBi001-A", line_type="hiPSC", institution=bank, str_profile=own)
    # Imported from Cellosaurus: its StrReference stands for it, it is not listed twice.
    CellLine.objects.create(
        name="Imported",
        line_type="hiPSC",
        institution=bank,
        external_accession="CVCL_T001",
        str_profile=own,
    )
    CellLine.objects.create(name="No STR", line_type="hiPSC", institution=bank)
    table = search("--query", Q_143_98_2)
    # Library line: best TPOX 11 → identical, 100 %; worst TPOX 8,11 → R 11, shared 10 →
    # 20/21 = 95.24 %. Registry line: vWA 17,18 → R 11, shared 10 → 95.24 %.
    assert table[1:] == [
        ["CVCL_T001", "Library line", "8", "100.00", "best"],
        ["CVCL_T001", "Library line", "8", "95.24", "worst"],
        ["NSCBi001-A", "NSCBi001-A", "8", "95.24", "single"],
    ]


def test_a_name_a_spreadsheet_would_run_comes_out_quoted(tmp_path):
    entries = SAMPLE.read_text().split("//\n")
    entry = next(e for e in entries if "AC   CVCL_2270" in e)
    evil = '=HYPERLINK("http://evil.example","143B")'
    reference = tmp_path / "evil.txt"
    reference.write_text(entry.replace("ID   143B\n", f"ID   {evil}\n") + "//\n")
    table = search("--query", Q_143B, "--reference-file", str(reference))
    assert {row[1] for row in table[1:]} == {"'" + evil}
