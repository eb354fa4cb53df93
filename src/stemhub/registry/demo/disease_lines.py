"""The university iPSC core's lines: patients, healthy controls and gene-edited subclones."""

from typing import Any

from stemhub.registry.demo.specs import (
    AIRWAY,
    CARDIOMYOCYTES,
    CORTICAL_NEURONS,
    DA_NEURONS,
    ERYTHROID,
    MOTOR_NEURONS,
    STRIATAL_NEURONS,
    DonorSpec,
    LineSpec,
    disease,
)

ALZHEIMER = disease("DOID", "DOID:10652", "Alzheimer's disease")
PARKINSON = disease("DOID", "DOID:14330", "Parkinson's disease")
HUNTINGTON = disease("DOID", "DOID:12858", "Huntington's disease")
CYSTIC_FIBROSIS = disease("DOID", "DOID:1485", "cystic fibrosis")
NORTH = "Northern European"

DISEASE_DONORS = (
    DonorSpec(
        "LUIC-AD-01",
        "male",
        "70-74",
        ethnicity=NORTH,
        diseases=(ALZHEIMER, disease("EFO", "EFO_0000249", "Alzheimer disease")),
        family_history="Mother with late-onset Alzheimer's disease.",
        medical_history="Late-onset AD, diagnosed at 68; APOE ε4/ε4.",
    ),
    DonorSpec(
        "LUIC-AD-02",
        "female",
        "65-69",
        ethnicity=NORTH,
        diseases=(ALZHEIMER,),
        medical_history="Sporadic AD; APOE ε3/ε4.",
    ),
    DonorSpec(
        "LUIC-PD-01",
        "male",
        "60-64",
        ethnicity="Southern European",
        diseases=(PARKINSON, disease("NCIt", "C26845", "Parkinson's disease")),
        family_history="Brother and father with Parkinson's disease.",
        medical_history="Onset at 57; LRRK2 c.6055G>A p.(Gly2019Ser), heterozygous.",
    ),
    DonorSpec(
        "LUIC-PD-02",
        "female",
        "55-59",
        ethnicity=NORTH,
        diseases=(PARKINSON,),
        medical_history="Idiopathic PD; no variant found in the PD gene panel.",
    ),
    DonorSpec(
        "LUIC-CTRL-01",
        "male",
        "55-59",
        ethnicity=NORTH,
        medical_history="Healthy control; no neurological disease.",
    ),
    DonorSpec(
        "LUIC-CTRL-02",
        "female",
        "40-44",
        ethnicity="East Asian",
        medical_history="Healthy control.",
    ),
    DonorSpec(
        "LUIC-HD-01",
        "male",
        "45-49",
        ethnicity=NORTH,
        diseases=(HUNTINGTON,),
        family_history="Mother affected by Huntington's disease.",
        medical_history="Motor onset at 44; HTT 42/18 CAG repeats.",
    ),
    DonorSpec(
        "LUIC-HD-02",
        "female",
        "40-44",
        ethnicity=NORTH,
        family_history="Sister of donor LUIC-HD-01; mother affected by Huntington's disease.",
        medical_history="Gene-negative sibling control; HTT 19/17 CAG repeats.",
    ),
    DonorSpec(
        "LUIC-ALS-01",
        "male",
        "50-54",
        ethnicity=NORTH,
        diseases=(
            disease("DOID", "DOID:332", "amyotrophic lateral sclerosis"),
            disease("NCIt", "C34373", "Amyotrophic lateral sclerosis"),
        ),
        medical_history="Limb-onset ALS; C9orf72 hexanucleotide repeat expansion.",
    ),
    DonorSpec(
        "LUIC-CF-01",
        "female",
        "20-24",
        ethnicity=NORTH,
        diseases=(CYSTIC_FIBROSIS, disease("NCIt", "C2975", "Cystic fibrosis")),
        medical_history="CFTR c.1521_1523del p.(Phe508del), homozygous.",
    ),
    DonorSpec(
        "LUIC-CF-02",
        "male",
        "45-49",
        ethnicity=NORTH,
        diseases=({**CYSTIC_FIBROSIS, "affected": False},),
        family_history="Father of donor LUIC-CF-01.",
        medical_history="Carrier of CFTR p.(Phe508del); unaffected.",
    ),
    DonorSpec(
        "LUIC-SCD-01",
        "male",
        "15-19",
        ethnicity="African",
        diseases=(disease("DOID", "DOID:10923", "sickle cell anemia"),),
        medical_history="HBB c.20A>T p.(Glu7Val), homozygous (HbSS).",
    ),
    DonorSpec(
        "LUIC-DS-01",
        "female",
        "0-4",
        ethnicity=NORTH,
        diseases=(disease("DOID", "DOID:14250", "Down syndrome"),),
        medical_history="Trisomy 21 (non-mosaic); atrioventricular septal defect.",
    ),
    DonorSpec(
        "LUIC-LQT-01",
        "female",
        "30-34",
        ethnicity=NORTH,
        diseases=(
            disease("DOID", "DOID:2843", "long QT syndrome"),
            disease("NCIt", "C137957", "Long QT syndrome 2"),
        ),
        medical_history="KCNH2 missense variant; QTc 510 ms; syncope at rest.",
    ),
    DonorSpec(
        "LUIC-HCM-01",
        "male",
        "35-39",
        ethnicity=NORTH,
        diseases=(disease("DOID", "DOID:11984", "hypertrophic cardiomyopathy"),),
        medical_history="MYBPC3 truncating variant; septal thickness 21 mm.",
    ),
    DonorSpec(
        "LUIC-SCZ-01",
        "male",
        "25-29",
        ethnicity=NORTH,
        diseases=(
            disease("DOID", "DOID:5419", "schizophrenia"),
            disease("NCIt", "C3362", "Schizophrenia"),
        ),
        family_history="Maternal uncle with schizophrenia.",
    ),
    DonorSpec(
        "LUIC-RTT-01",
        "female",
        "5-9",
        ethnicity=NORTH,
        diseases=(disease("DOID", "DOID:1206", "Rett syndrome"),),
        medical_history="MECP2 c.502C>T p.(Arg168Ter), de novo.",
    ),
    DonorSpec(
        "LUIC-FTD-01",
        "female",
        "60-64",
        ethnicity=NORTH,
        diseases=(disease("NCIt", "C84719", "Frontotemporal dementia"),),
        family_history="Autosomal dominant FTD in three generations.",
    ),
)


def _ipsc(key: str, donor: str, recipe: str, year: int, **more: Any) -> LineSpec:
    return LineSpec(key, "LUIC", "hiPSC", donor, recipe, year, **more)


def _edited(
    key: str, parent: str, donor: str, year: int, modification: dict[str, Any], **more: Any
) -> LineSpec:
    return LineSpec(
        key,
        "LUIC",
        "hiPSC",
        donor,
        "sendai_fibroblast",
        year,
        subclone_of=parent,
        modification={"method": "CRISPR/Cas9 with ssODN donor", **modification},
        **more,
    )


DISEASE_LINES = (
    _ipsc(
        "AD1A",
        "LUIC-AD-01",
        "sendai_fibroblast",
        2016,
        products=(CORTICAL_NEURONS,),
        synonyms=("LUIC-AD1",),
    ),
    _ipsc("AD1B", "LUIC-AD-01", "sendai_fibroblast", 2016, availability="expand_to_order"),
    _edited(
        "AD1A-E3",
        "AD1A",
        "LUIC-AD-01",
        2018,
        {
            "kind": "isogenic",
            "gene": "APOE",
            "hgvs": "c.388T>C p.(Cys130Arg)",
            "zygosity": "homozygous",
        },
        summary="APOE ε4/ε4 converted to ε3/ε3",
        products=(CORTICAL_NEURONS,),
    ),
    _ipsc("AD2", "LUIC-AD-02", "episomal_pbmc", 2021, status="submitted"),
    _ipsc(
        "PD1A",
        "LUIC-PD-01",
        "lentiviral_fibroblast",
        2012,
        products=(DA_NEURONS,),
        synonyms=("LUIC-PD1",),
        edit=(
            {
                "omics": [
                    {
                        "kind": "genome",
                        "repository": "LUIC data portal",
                        "accession": "LUIC-WGS-0012",
                        "checksum": "",
                    }
                ]
            },
            "Whole-genome sequencing of the master cell bank added.",
        ),
    ),
    _ipsc("PD1B", "LUIC-PD-01", "lentiviral_fibroblast", 2012),
    _ipsc("PD1C", "LUIC-PD-01", "lentiviral_fibroblast", 2012, availability="not_available"),
    _edited(
        "PD1A-GC",
        "PD1A",
        "LUIC-PD-01",
        2015,
        {
            "kind": "isogenic",
            "gene": "LRRK2",
            "hgvs": "c.6055G>A p.(Gly2019Ser)",
            "zygosity": "heterozygous",
        },
        summary="LRRK2 p.(Gly2019Ser) corrected",
        products=(DA_NEURONS,),
    ),
    _ipsc("PD2", "LUIC-PD-02", "sendai_pbmc", 2019),
    _ipsc(
        "CT1A",
        "LUIC-CTRL-01",
        "mrna_fibroblast",
        2014,
        synonyms=("LUIC-C1",),
        edit=(
            {"culture_medium": "StemFlex", "surface_coating": "Geltrex"},
            "Core facility moved all banked lines to StemFlex on Geltrex.",
        ),
    ),
    _ipsc("CT1B", "LUIC-CTRL-01", "mrna_fibroblast", 2014),
    _ipsc(
        "CT1C", "LUIC-CTRL-01", "mrna_fibroblast", 2014, status="draft", germ_layers=("ectoderm",)
    ),
    _edited(
        "CT1A-A53T",
        "CT1A",
        "LUIC-CTRL-01",
        2017,
        {
            "kind": "variant",
            "gene": "SNCA",
            "hgvs": "c.157G>A p.(Ala53Thr)",
            "zygosity": "heterozygous",
        },
        summary="SNCA p.(Ala53Thr) introduced",
        products=(DA_NEURONS,),
        availability="expand_to_order",
    ),
    _ipsc("CT2A", "LUIC-CTRL-02", "episomal_pbmc", 2018),
    _ipsc("CT2B", "LUIC-CTRL-02", "episomal_pbmc", 2018, availability="expand_to_order"),
    _edited(
        "CT2A-GFP",
        "CT2A",
        "LUIC-CTRL-02",
        2019,
        {
            "kind": "transgene",
            "gene": "AAVS1",
            "hgvs": "",
            "zygosity": "heterozygous",
            "method": "CRISPR/Cas9, AAVS1 safe-harbour CAG-EGFP",
        },
        summary="constitutive EGFP reporter in AAVS1",
    ),
    _ipsc("HD1A", "LUIC-HD-01", "sendai_fibroblast", 2015, products=(STRIATAL_NEURONS,)),
    _ipsc("HD1B", "LUIC-HD-01", "sendai_fibroblast", 2015),
    _ipsc(
        "HD2",
        "LUIC-HD-02",
        "sendai_fibroblast",
        2015,
        availability="withdrawn",
        availability_reason="The donor withdrew consent for further distribution "
        "(letter of 2024-03-12); existing recipients informed.",
    ),
    _ipsc("ALS1", "LUIC-ALS-01", "episomal_pbmc", 2017, products=(MOTOR_NEURONS,)),
    _ipsc("CF1A", "LUIC-CF-01", "sendai_pbmc", 2016, products=(AIRWAY,)),
    _ipsc("CF1B", "LUIC-CF-01", "sendai_pbmc", 2016, availability="not_available"),
    _edited(
        "CF1A-corr",
        "CF1A",
        "LUIC-CF-01",
        2018,
        {
            "kind": "isogenic",
            "gene": "CFTR",
            "hgvs": "c.1521_1523del p.(Phe508del)",
            "zygosity": "homozygous",
        },
        summary="CFTR p.(Phe508del) corrected on both alleles",
        products=(AIRWAY,),
    ),
    _ipsc("CF2", "LUIC-CF-02", "sendai_pbmc", 2016),
    _ipsc("SCD1", "LUIC-SCD-01", "episomal_pbmc", 2018, products=(ERYTHROID,)),
    _edited(
        "SCD1-corr",
        "SCD1",
        "LUIC-SCD-01",
        2020,
        {
            "kind": "isogenic",
            "gene": "HBB",
            "hgvs": "c.20A>T p.(Glu7Val)",
            "zygosity": "heterozygous",
        },
        summary="HBB sickle allele corrected on one allele",
        products=(ERYTHROID,),
    ),
    _ipsc("DS1", "LUIC-DS-01", "sendai_fibroblast", 2017, karyotype="47,XX,+21"),
    _ipsc("LQT1", "LUIC-LQT-01", "sendai_pbmc", 2019, products=(CARDIOMYOCYTES,)),
    _ipsc(
        "HCM1",
        "LUIC-HCM-01",
        "sendai_pbmc",
        2020,
        products=(CARDIOMYOCYTES,),
        returned_first="Consent reference missing; add it and resubmit.",
    ),
    _ipsc("SCZ1", "LUIC-SCZ-01", "episomal_pbmc", 2021, status="in_review"),
    _ipsc(
        "RTT1A",
        "LUIC-RTT-01",
        "retroviral_fibroblast",
        2011,
        summary="expresses the mutant MECP2 allele (X inactivation)",
    ),
    _ipsc(
        "RTT1B",
        "LUIC-RTT-01",
        "retroviral_fibroblast",
        2011,
        summary="expresses the wild-type MECP2 allele (isogenic control by X inactivation)",
        status="returned",
        review_comment="Germ-layer data shows endoderm and mesoderm only; add ectoderm evidence.",
        germ_layers=("endoderm", "mesoderm"),
    ),
    _ipsc("FTD1", "LUIC-FTD-01", "sendai_pbmc", 2024, status="draft"),
)

EBISC_DEPOSITED = frozenset({"AD1A", "PD1A", "PD1B", "CT1A", "CF1A", "HD1A"})
