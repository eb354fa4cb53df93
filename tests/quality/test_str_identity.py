"""The cell_bank's STR profile against its line's: Tanabe scores worked out by hand from
2 × shared / (query alleles + reference alleles) × 100, Amelogenin left out."""

import pytest

from stemhub.core.errors import InvalidInput
from stemhub.quality.models import Nonconformity, StrFlag
from stemhub.registry.models import CellLine, Donor
from tests.quality.setups import LINE_PROFILE, SAME_PROFILE, qc_bank, record

# Against the line (16 alleles on 8 loci): CSF1PO 1 shared, D5S818 1, D7S820 0, D13S317 2,
# D16S539 2, TH01 homozygous 7 (1 allele, 0 shared), TPOX 2, vWA 1 → 9 shared of 15 + 16:
# 2 × 9 / 31 = 58.06 %.
MISMATCH = (
    "Amelogenin:X,Y;CSF1PO:10,12;D5S818:11,13;D7S820:8,9;D13S317:9,12;D16S539:12,13;"
    "TH01:7;TPOX:8,11;vWA:16,18"
)
# Only D7S820 differs (8,9): 14 shared of 16 + 16: 28 / 32 = 87.50 %.
RELATED = (
    "CSF1PO:11,12;D5S818:11,12;D7S820:8,9;D13S317:9,12;D16S539:12,13;TH01:6,9.3;TPOX:8,11;vWA:16,17"
)
# Homozygous TH01 6 and TPOX 8 (14 query alleles), CSF1PO 10,12 and D5S818 11,13 (one shared
# each): 12 shared: 24 / 30 = exactly 80.00 %, the lower limit, which passes.
AT_THE_LIMIT = (
    "CSF1PO:10,12;D5S818:11,13;D7S820:10,11;D13S317:9,12;D16S539:12,13;TH01:6;TPOX:8;vWA:16,17"
)


@pytest.fixture
def cell_bank(users):
    return qc_bank(users)


def test_the_same_profile_passes_at_100(users, cell_bank):
    result = record(users["bank_technician"], cell_bank, "str-identity", SAME_PROFILE)
    assert result.passed and str(result.str_score) == "100.00" and result.flag == ""


def test_a_mismatch_with_the_parent_line_fails_flags_and_opens_a_nonconformity(users, cell_bank):
    result = record(users["bank_technician"], cell_bank, "str-identity", MISMATCH)
    assert not result.passed
    assert str(result.str_score) == "58.06"
    assert result.flag == StrFlag.MISMATCH
    assert result.get_flag_display() == "STR mismatch with parent line"
    assert "NSCBi001-A" in result.judgement
    nc = Nonconformity.objects.get(bank=cell_bank, result=result)
    assert "STR mismatch with parent line" in nc.description


def test_a_related_profile_passes_with_a_warning(users, cell_bank):
    result = record(users["bank_technician"], cell_bank, "str-identity", RELATED)
    assert result.passed and str(result.str_score) == "87.50"
    assert result.flag == StrFlag.RELATED
    assert not Nonconformity.objects.exists()


def test_exactly_80_percent_passes_as_related(users, cell_bank):
    result = record(users["bank_technician"], cell_bank, "str-identity", AT_THE_LIMIT)
    assert result.passed and str(result.str_score) == "80.00"
    assert result.flag == StrFlag.RELATED


def test_exactly_90_percent_is_the_same_line(users, cell_bank):
    ten_loci = {**LINE_PROFILE, "D3S1358": ["15", "16"], "FGA": ["21", "22"]}
    CellLine.objects.filter(pk=cell_bank.line_id).update(str_profile=ten_loci)
    # 20 alleles on each side, vWA entirely different: 18 shared, 2 × 18 / 40 = 90.00 %
    query = SAME_PROFILE.replace("vWA:16,17", "vWA:14,15") + ";D3S1358:15,16;FGA:21,22"
    result = record(users["bank_technician"], cell_bank, "str-identity", query)
    assert result.passed and str(result.str_score) == "90.00"
    assert result.flag == StrFlag.NONE


def test_without_a_line_profile_the_donors_other_lines_are_used(users, cell_bank):
    line = cell_bank.line
    CellLine.objects.filter(pk=line.pk).update(str_profile={})
    sibling = CellLine.objects.create(
        name="NSCBi001-B",
        line_type="hiPSC",
        institution=line.institution,
        donor=Donor.objects.get(pk=line.donor_id),
        str_profile=LINE_PROFILE,
    )
    result = record(users["bank_technician"], cell_bank, "str-identity", RELATED)
    assert str(result.str_score) == "87.50" and sibling.name in result.judgement


def test_without_any_reference_the_result_is_refused(users, cell_bank):
    CellLine.objects.filter(pk=cell_bank.line_id).update(str_profile={})
    with pytest.raises(InvalidInput, match="no STR profile to compare"):
        record(users["bank_technician"], cell_bank, "str-identity", SAME_PROFILE)


def test_too_few_shared_markers_are_refused(users, cell_bank):
    with pytest.raises(InvalidInput, match="fewer than 8"):
        record(users["bank_technician"], cell_bank, "str-identity", "TH01:6,9.3;TPOX:8,11")
    seven = SAME_PROFILE.replace(";vWA:16,17", "")  # 7 of the 8 needed; 8 pass (above)
    with pytest.raises(InvalidInput, match="fewer than 8"):
        record(users["bank_technician"], cell_bank, "str-identity", seven)


def test_a_malformed_profile_is_refused_naming_the_token(users, cell_bank):
    with pytest.raises(InvalidInput, match="TH01"):
        record(users["bank_technician"], cell_bank, "str-identity", "TH01:six")
