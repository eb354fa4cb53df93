import pytest

from tests.catalogue.lines import ALZHEIMER, PARKINSON, make


@pytest.fixture
def lines(users):
    curator = users["curator"]
    make(curator, "NSCBi001-A", disease=PARKINSON, synonyms=["PD-1"])
    make(curator, "NSCBi001-B", disease=PARKINSON, sex="male", vector="episomal")
    make(curator, "NSCBi002-A", disease=ALZHEIMER, str_profile={"TH01": ["6", "9.3"]})
    make(
        curator,
        "NSCBe003-A",
        line_type="hESC",
        derivation_method="embryo",
        vector="",
        source_cell_type="",
        source_cell_type_id="",
        karyotypes=[{"karyotype": "46,XX", "method": "G-banding"}],
    )
    make(
        curator,
        "NSCBi001-A-1",
        disease=PARKINSON,
        parent="NSCBi001-A",
        modifications=[{"gene": "SNCA", "hgvs": "NM_000345.4:c.209G>A", "kind": "variant"}],
    )
    make(curator, "NSCBi009-A", publish=False, disease=PARKINSON)
