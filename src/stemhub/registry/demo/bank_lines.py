"""The national bank's embryonic, parthenogenetic, NT and HLA-haplobank lines, and the
institute's animal lines."""

from typing import Any

from stemhub.registry.demo.specs import (
    CARDIOMYOCYTES,
    DA_PROGENITORS,
    HEPATOCYTES,
    NPC,
    RPE,
    DonorSpec,
    LineSpec,
    disease,
    product,
)

EMBRYO = "embryo"
_ETHNICITIES = (
    "Northern European",
    "Northern European",
    "South Asian",
    "Middle Eastern",
    "East Asian",
    "Southern European",
    "Northern European",
    "African",
)

BANK_DONORS = (
    *(
        DonorSpec(
            f"NSRB-EMB-{n:02d}",
            "female" if n % 2 else "male",
            EMBRYO,
            ethnicity=_ETHNICITIES[n % len(_ETHNICITIES)],
            family_history="Surplus IVF embryo; no known heritable disease in either parent.",
        )
        for n in range(1, 15)
    ),
    DonorSpec(
        "NSRB-EMB-15",
        "male",
        EMBRYO,
        ethnicity="Northern European",
        diseases=(disease("DOID", "DOID:12858", "Huntington's disease"),),
        family_history="Embryo found affected by pre-implantation genetic diagnosis (HTT CAG "
        "expansion, 44 repeats, paternal).",
    ),
    DonorSpec("NSRB-OOC-01", "female", "25-29", ethnicity="Northern European"),
    DonorSpec("NSRB-OOC-02", "female", "30-34", ethnicity="Eastern European"),
    DonorSpec("NSRB-OOC-03", "female", "25-29", ethnicity="Northern European"),
    DonorSpec(
        "NSRB-NT-01",
        "male",
        "30-34",
        ethnicity="Northern European",
        diseases=(
            disease("DOID", "DOID:9744", "type 1 diabetes mellitus"),
            disease("NCIt", "C2986", "Type 1 diabetes mellitus"),
        ),
        medical_history="Type 1 diabetes since age 12; insulin pump.",
    ),
    DonorSpec(
        "NSRB-NT-02",
        "female",
        "70-74",
        ethnicity="Northern European",
        diseases=(disease("DOID", "DOID:10871", "age related macular degeneration"),),
        medical_history="Bilateral geographic atrophy.",
    ),
    *(
        DonorSpec(
            f"NCBB-CB-{n:02d}",
            sex,
            "0-4",
            ethnicity=ethnicity,
            hla=(haplotype, haplotype),
            medical_history="Public cord blood donation; HLA-homozygous at A, B, C, DRB1, DQB1.",
        )
        for n, (sex, haplotype, ethnicity) in enumerate(
            (
                ("female", 16, "Han Chinese"),
                ("male", 17, "Han Chinese"),
                ("male", 0, "Northern European"),
                ("female", 18, "Han Chinese"),
            ),
            start=1,
        )
    ),
)

_HD_NOTE = "derived after pre-implantation genetic diagnosis; carries an expanded HTT allele."

BANK_LINES = (
    LineSpec(
        "NS1",
        "NSRB",
        "hESC",
        "NSRB-EMB-01",
        "embryo_gmp",
        2012,
        synonyms=("NS1",),
        summary="clinical-grade",
        clinical_studies=("NCT03119636",),
        products=(
            {**DA_PROGENITORS, "name": "Dopaminergic progenitors, GMP lot", "clinical_grade": True},
        ),
        availability="restricted",
    ),
    LineSpec(
        "NS2",
        "NSRB",
        "hESC",
        "NSRB-EMB-02",
        "embryo_gmp",
        2012,
        synonyms=("NS2",),
        summary="clinical-grade",
        clinical_studies=("NCT03944239",),
        products=({**RPE, "name": "RPE, GMP lot", "clinical_grade": True},),
        availability="restricted",
    ),
    LineSpec(
        "NS3",
        "NSRB",
        "hESC",
        "NSRB-EMB-03",
        "embryo_gmp",
        2013,
        synonyms=("NS3",),
        summary="clinical-grade",
        clinical_studies=("NCT04331613",),
        products=(
            product(
                "msc",
                "Mesenchymal stromal cells, GMP lot",
                "Embryoid body outgrowth, serum-free MSC medium, expanded to passage 5.",
                "CD73+, CD90+, CD105+; CD34-, CD45-, HLA-DR-",
                clinical=True,
            ),
        ),
        availability="restricted",
    ),
    LineSpec(
        "NS4",
        "NSRB",
        "hESC",
        "NSRB-EMB-04",
        "embryo_mef",
        2005,
        teratoma=True,
        synonyms=("NS4",),
        products=(HEPATOCYTES, CARDIOMYOCYTES),
    ),
    LineSpec(
        "NS5",
        "NSRB",
        "hESC",
        "NSRB-EMB-05",
        "embryo_mef",
        2006,
        teratoma=True,
        synonyms=("NS5",),
        edit=(
            {"karyotype_recheck_passage": 45},
            "Karyotype re-checked at passage 45 after expansion of the master cell bank.",
        ),
    ),
    LineSpec("NS6", "NSRB", "hESC", "NSRB-EMB-06", "embryo_mef", 2007, teratoma=True),
    LineSpec(
        "NS7",
        "NSRB",
        "hESC",
        "NSRB-EMB-07",
        "embryo_mef",
        2008,
        teratoma=True,
        availability="recalled",
        availability_reason="Mycoplasma detected by PCR in working cell bank lot WCB-0311; "
        "all vials of the lot quarantined (deviation DEV-2024-017).",
    ),
    LineSpec("NS8", "NSRB", "hESC", "NSRB-EMB-08", "embryo_e8", 2010, products=(NPC,)),
    LineSpec(
        "NS8-SOX17",
        "NSRB",
        "hESC",
        "NSRB-EMB-08",
        "embryo_e8",
        2017,
        subclone_of="NS8",
        summary="SOX17-tdTomato endoderm reporter",
        modification={
            "kind": "knock_in",
            "gene": "SOX17",
            "hgvs": "",
            "zygosity": "heterozygous",
            "method": "CRISPR/Cas9 with HDR donor (P2A-tdTomato before the stop codon)",
        },
        availability="expand_to_order",
    ),
    LineSpec("NS9", "NSRB", "hESC", "NSRB-EMB-09", "embryo_e8", 2011, products=(CARDIOMYOCYTES,)),
    LineSpec(
        "NS10", "NSRB", "hESC", "NSRB-EMB-10", "embryo_e8", 2014, availability="expand_to_order"
    ),
    LineSpec(
        "NS11", "NSRB", "hESC", "NSRB-EMB-11", "embryo_e8", 2015, availability="not_available"
    ),
    LineSpec("NS12", "NSRB", "hESC", "NSRB-EMB-12", "embryo_e8", 2016),
    LineSpec(
        "NS13",
        "NSRB",
        "hESC",
        "NSRB-EMB-13",
        "embryo_e8",
        2023,
        status="draft",
        germ_layers=("endoderm",),
    ),
    LineSpec("NS14", "NSRB", "hESC", "NSRB-EMB-14", "embryo_e8", 2023, status="submitted"),
    LineSpec(
        "NS15-HD",
        "NSRB",
        "hESC",
        "NSRB-EMB-15",
        "embryo_e8",
        2014,
        summary=_HD_NOTE,
        products=(
            product(
                "neurons",
                "Striatal medium spiny neurons",
                "Dual SMAD inhibition, activin A patterning, maturation with BDNF to day 45.",
                "DARPP-32, CTIP2, GABA",
            ),
        ),
    ),
    LineSpec("NSP1", "NSRB", "pESC", "NSRB-OOC-01", "parthenogenesis", 2009, synonyms=("NS-P1",)),
    LineSpec("NSP2", "NSRB", "pESC", "NSRB-OOC-01", "parthenogenesis", 2009),
    LineSpec(
        "NSP3",
        "NSRB",
        "pESC",
        "NSRB-OOC-02",
        "parthenogenesis",
        2011,
        availability="expand_to_order",
    ),
    LineSpec("NSP4", "NSRB", "pESC", "NSRB-OOC-03", "parthenogenesis", 2019, status="in_review"),
    LineSpec(
        "NSNT1",
        "NSRB",
        "NT-ESC",
        "NSRB-NT-01",
        "scnt",
        2015,
        synonyms=("NS-NT1",),
        availability="not_available",
    ),
    LineSpec(
        "NSNT2",
        "NSRB",
        "NT-ESC",
        "NSRB-NT-01",
        "scnt",
        2015,
        products=(
            product(
                "other",
                "Insulin-producing beta-like cells",
                "Seven-stage pancreatic differentiation (activin A, retinoic acid, ALK5 "
                "inhibitor, T3), day 27.",
                "PDX1, NKX6-1, C-peptide",
            ),
        ),
    ),
    LineSpec(
        "NSNT3",
        "NSRB",
        "NT-ESC",
        "NSRB-NT-02",
        "scnt",
        2018,
        status="returned",
        review_comment="Consent reference missing: add the somatic-cell donor's signed "
        "consent (form and version) before publication.",
        extra={"consent_reference": ""},
        products=(RPE,),
    ),
    *(
        LineSpec(
            f"HB{n}",
            "NSRB",
            "hiPSC",
            f"NCBB-CB-{n:02d}",
            "episomal_cord_blood_gmp",
            2019 + n // 3,
            synonyms=(f"HB-{n}",),
            summary="clinical-grade, HLA-homozygous haplobank",
            availability="restricted",
            clinical_studies=("NCT04232592",) if n == 1 else (),
            products=(
                ({**CARDIOMYOCYTES, "name": "Cardiomyocytes, GMP lot", "clinical_grade": True},)
                if n == 1
                else ()
            ),
            edit=(
                (
                    {
                        "restrictions": "Clinical use only under a quality agreement; HLA-matched "
                        "recipients per the haplobank allocation policy."
                    },
                    "Restrictions updated after the new quality agreement template (QA-2025-04).",
                )
                if n == 2
                else None
            ),
        )
        for n in range(1, 5)
    ),
)

# Animal lines: strain and origin go into the summary.
ANIMAL_DONORS = (
    DonorSpec("IRMR-M-01", "male", EMBRYO, species="Mus musculus"),
    DonorSpec("IRMR-M-02", "female", EMBRYO, species="Mus musculus"),
    DonorSpec("IRMR-M-03", "female", "0-4", species="Mus musculus"),
    DonorSpec("IRMR-M-04", "male", "0-4", species="Mus musculus"),
    DonorSpec("IRMR-RH-01", "female", EMBRYO, species="Macaca mulatta"),
    DonorSpec("IRMR-RH-02", "male", EMBRYO, species="Macaca mulatta"),
    DonorSpec("IRMR-RH-03", "male", "5-9", species="Macaca mulatta"),
    DonorSpec("IRMR-CY-01", "male", "5-9", species="Macaca fascicularis"),
    DonorSpec("IRMR-CY-02", "female", "10-14", species="Macaca fascicularis"),
    DonorSpec("IRMR-MA-01", "female", EMBRYO, species="Callithrix jacchus"),
    DonorSpec("IRMR-RB-01", "male", EMBRYO, species="Oryctolagus cuniculus"),
    DonorSpec("IRMR-RB-02", "female", EMBRYO, species="Oryctolagus cuniculus"),
    DonorSpec("IRMR-PG-01", "female", "fetus", species="Sus scrofa"),
)


def _animal(
    key: str,
    line_type: str,
    donor: str,
    recipe: str,
    year: int,
    species: str,
    summary: str,
    **more: Any,
) -> LineSpec:
    return LineSpec(
        key, "IRMR", line_type, donor, recipe, year, species=species, summary=summary, **more
    )


ANIMAL_LINES = (
    _animal(
        "MES1",
        "ESC",
        "IRMR-M-01",
        "mouse_esc_2i",
        2012,
        "Mus musculus",
        "C57BL/6J blastocyst",
        availability="available",
    ),
    _animal(
        "MES2",
        "ESC",
        "IRMR-M-02",
        "mouse_esc_2i",
        2013,
        "Mus musculus",
        "129S2/SvPas blastocyst",
        availability="expand_to_order",
    ),
    _animal(
        "MPES1",
        "pESC",
        "IRMR-M-03",
        "mouse_parthenogenesis",
        2014,
        "Mus musculus",
        "parthenogenetic, B6D2F1 oocyte",
    ),
    _animal(
        "MIPS1",
        "iPSC",
        "IRMR-M-04",
        "mouse_ipsc_retroviral",
        2010,
        "Mus musculus",
        "C57BL/6J tail-tip fibroblasts",
        status="draft",
    ),
    _animal(
        "RHES1",
        "ESC",
        "IRMR-RH-01",
        "primate_esc_mef",
        2011,
        "Macaca mulatta",
        "preclinical primate model",
        teratoma=True,
    ),
    _animal(
        "RHES2",
        "ESC",
        "IRMR-RH-02",
        "primate_esc_mef",
        2012,
        "Macaca mulatta",
        "preclinical primate model",
        teratoma=True,
        products=(DA_PROGENITORS,),
    ),
    _animal(
        "RHNT1",
        "NT-ESC",
        "IRMR-RH-03",
        "primate_scnt",
        2016,
        "Macaca mulatta",
        "nuclear transfer from adult skin fibroblasts",
        status="in_review",
    ),
    _animal(
        "CYIPS1",
        "iPSC",
        "IRMR-CY-01",
        "primate_ipsc_sendai",
        2018,
        "Macaca fascicularis",
        "autologous transplantation model",
        products=(DA_PROGENITORS,),
    ),
    _animal(
        "CYIPS2",
        "iPSC",
        "IRMR-CY-02",
        "primate_ipsc_sendai",
        2019,
        "Macaca fascicularis",
        "autologous transplantation model",
        status="submitted",
    ),
    _animal(
        "MAES1",
        "ESC",
        "IRMR-MA-01",
        "primate_esc_mef",
        2013,
        "Callithrix jacchus",
        "marmoset blastocyst",
        availability="not_available",
    ),
    _animal(
        "RBES1",
        "ESC",
        "IRMR-RB-01",
        "rabbit_esc_mef",
        2014,
        "Oryctolagus cuniculus",
        "New Zealand White blastocyst",
        teratoma=True,
    ),
    _animal(
        "RBES2",
        "ESC",
        "IRMR-RB-02",
        "rabbit_esc_mef",
        2015,
        "Oryctolagus cuniculus",
        "New Zealand White blastocyst",
        teratoma=True,
        status="returned",
        review_comment="No marker data beyond alkaline phosphatase; add OCT4/NANOG "
        "immunostaining before we publish.",
        extra={
            "markers": [
                {
                    "marker": "Alkaline phosphatase",
                    "method": "Histochemical staining",
                    "result": "positive",
                    "percent_positive": None,
                }
            ]
        },
    ),
    _animal(
        "PGIPS1",
        "iPSC",
        "IRMR-PG-01",
        "pig_ipsc_lentiviral",
        2017,
        "Sus scrofa",
        "Göttingen minipig fetal fibroblasts",
        availability="expand_to_order",
    ),
)
