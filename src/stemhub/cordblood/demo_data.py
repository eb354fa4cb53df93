"""The tables the cord blood demo draws from: banks and their operators, haplotypes of two
populations, DPB1 alleles, serology equivalents for older typings, and the centre's patients.

Embedded on purpose: the demo never reads reference files at run time. Institutions, people and
codes are invented; the haplotypes are common ones of the European and Chinese populations."""

from dataclasses import dataclass

from stemhub.accounts.demo import UserSpec
from stemhub.accounts.models import Role

# A~C~B~DRB1~DQB1 haplotypes, each with a relative weight.
EUROPEAN = (
    (("A*01:01", "C*07:01", "B*08:01", "DRB1*03:01", "DQB1*02:01"), 9),
    (("A*03:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"), 6),
    (("A*02:01", "C*05:01", "B*44:02", "DRB1*04:01", "DQB1*03:01"), 4),
    (("A*29:02", "C*16:01", "B*44:03", "DRB1*07:01", "DQB1*02:02"), 3),
    (("A*02:01", "C*03:04", "B*40:01", "DRB1*13:02", "DQB1*06:04"), 2),
    (("A*02:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"), 3),
    (("A*11:01", "C*04:01", "B*35:01", "DRB1*01:01", "DQB1*05:01"), 2),
    (("A*24:02", "C*07:01", "B*18:01", "DRB1*11:04", "DQB1*03:01"), 2),
    (("A*02:01", "C*06:02", "B*13:02", "DRB1*07:01", "DQB1*02:02"), 2),
    (("A*26:01", "C*12:03", "B*38:01", "DRB1*13:01", "DQB1*06:03"), 1),
    (("A*01:01", "C*06:02", "B*57:01", "DRB1*07:01", "DQB1*03:03"), 2),
    (("A*23:01", "C*04:01", "B*44:03", "DRB1*07:01", "DQB1*02:02"), 1),
)
CHINESE = (
    (("A*02:07", "C*01:02", "B*46:01", "DRB1*09:01", "DQB1*03:03"), 8),
    (("A*33:03", "C*03:02", "B*58:01", "DRB1*03:01", "DQB1*02:01"), 7),
    (("A*11:01", "C*07:02", "B*40:01", "DRB1*09:01", "DQB1*03:03"), 5),
    (("A*30:01", "C*06:02", "B*13:02", "DRB1*07:01", "DQB1*02:02"), 5),
    (("A*02:01", "C*03:04", "B*13:01", "DRB1*12:02", "DQB1*03:01"), 3),
    (("A*24:02", "C*01:02", "B*54:01", "DRB1*04:05", "DQB1*04:01"), 3),
    (("A*11:01", "C*01:02", "B*46:01", "DRB1*08:03", "DQB1*06:01"), 4),
    (("A*02:03", "C*07:02", "B*38:02", "DRB1*16:02", "DQB1*05:02"), 3),
    (("A*11:01", "C*04:01", "B*15:02", "DRB1*12:02", "DQB1*03:01"), 4),
    (("A*02:06", "C*03:03", "B*35:01", "DRB1*15:01", "DQB1*06:02"), 2),
    (("A*24:02", "C*03:03", "B*15:01", "DRB1*04:06", "DQB1*03:02"), 3),
    (("A*02:01", "C*07:02", "B*40:01", "DRB1*15:01", "DQB1*06:02"), 5),
    (("A*11:01", "C*03:04", "B*40:01", "DRB1*11:01", "DQB1*03:01"), 3),
)
DPB1_EUROPEAN = (("DPB1*04:01", 40), ("DPB1*04:02", 12), ("DPB1*02:01", 10), ("DPB1*03:01", 10))
DPB1_CHINESE = (("DPB1*05:01", 40), ("DPB1*02:01", 20), ("DPB1*04:01", 10), ("DPB1*13:01", 8))

# Serology equivalents of the alleles above, for units typed by serology (older collections).
SEROLOGY = {
    "A*01:01": "A1",
    "A*02:01": "A2",
    "A*02:03": "A203",
    "A*02:06": "A2",
    "A*02:07": "A2",
    "A*03:01": "A3",
    "A*11:01": "A11",
    "A*23:01": "A23",
    "A*24:02": "A24",
    "A*26:01": "A26",
    "A*29:02": "A29",
    "A*30:01": "A30",
    "A*33:03": "A33",
    "B*07:02": "B7",
    "B*08:01": "B8",
    "B*13:01": "B13",
    "B*13:02": "B13",
    "B*15:01": "B62",
    "B*15:02": "B75",
    "B*18:01": "B18",
    "B*35:01": "B35",
    "B*38:01": "B38",
    "B*38:02": "B38",
    "B*40:01": "B60",
    "B*44:02": "B44",
    "B*44:03": "B44",
    "B*46:01": "B46",
    "B*54:01": "B54",
    "B*57:01": "B57",
    "B*58:01": "B58",
}


@dataclass(frozen=True)
class BankSpec:
    """A public bank of the demo network and how its inventory looks."""

    code: str
    name: str
    country: str
    city: str
    domain: str
    facility: str  # ISBT 128 facility id of its DINs
    units: int
    population: str  # "european", "chinese" or "mixed"
    oldest_years: int  # collections reach back this many years
    tnc_median: float  # × 10^7
    low_resolution: float  # share typed at first field (A, B) or serology
    dpb1_typed: float
    accreditation: str
    seed: int
    name_zh: str = ""


BANKS = (
    BankSpec(
        "NCBB",
        "North China Cord Blood Bank",
        "CN",
        "Tianjin",
        "ncbb.example.org",
        "G7777",
        300,
        "mixed",
        10,
        135,
        0.05,
        0.5,
        "FACT-NetCord",
        7,
        "华北脐带血造血干细胞库",
    ),
    BankSpec(
        "EPCB",
        "Eastern Public Cord Blood Bank",
        "CN",
        "Hangzhou",
        "epcb.example.org",
        "C2001",
        220,
        "chinese",
        12,
        118,
        0.15,
        0.35,
        "AABB",
        11,
        "华东公共脐带血造血干细胞库",
    ),
    BankSpec(
        "WRCB",
        "Western Regional Cord Blood Bank",
        "GB",
        "Bristol",
        "wrcb.example.org",
        "F3003",
        90,
        "european",
        18,
        96,
        0.6,
        0.0,
        "FACT-NetCord",
        13,
        "英国西部地区脐带血库",
    ),
)
# The banks this module adds to the demo (NCBB comes with the demo's people).
NEW_BANKS = ("EPCB", "WRCB")


# The operators of the banks added here; `stemhub demo` prints them with the other logins.
OPERATORS = (
    UserSpec("epcb-tech", "Jing", "Chen", "EPCB", (Role.BANK_TECHNICIAN,), name_zh="陈静"),
    UserSpec("wrcb-tech", "Owen", "Price", "WRCB", (Role.BANK_TECHNICIAN,)),
)


@dataclass(frozen=True)
class PatientSpec:
    """A patient of the demo transplant centre still looking for a unit. `typing_of` is the
    (bank, unit number) whose typing the patient shares, so searches find a close match;
    `mismatch` replaces one of its alleles. `reservation`: none, or the state to leave the
    reservation of the best unit in."""

    centre_patient_id: str
    sex: str
    born_years_ago: int
    weight_kg: float
    abo: str
    rh: str
    diagnosis: str
    disease_status: str
    typing_of: tuple[str, int]
    mismatch: tuple[str, str] | None = None
    reservation: str = ""
    typing_requested: bool = False
    typing_result: str = ""  # match: the confirmatory typing confirmed it, the unit may ship
    dsa: tuple[str, ...] = ()
    search: bool = True


PATIENTS = (
    PatientSpec(
        "UH-2401",
        "M",
        42,
        62,
        "A",
        "+",
        "aml",
        "cr1",
        ("NCBB", 17),
        reservation="active",
        typing_requested=True,
        typing_result="match",
    ),
    PatientSpec(
        "UH-2402",
        "F",
        5,
        18,
        "B",
        "+",
        "thalassaemia",
        "na",
        ("EPCB", 9),
        mismatch=("hla_c", "C*03:04"),
        reservation="active",
        typing_requested=True,
    ),
    PatientSpec("UH-2403", "M", 9, 27, "O", "+", "all", "cr2", ("EPCB", 23), reservation="active"),
    PatientSpec("UH-2404", "F", 16, 46, "O", "-", "saa", "na", ("NCBB", 41), reservation="shipped"),
    PatientSpec(
        "UH-2405",
        "M",
        58,
        71,
        "A",
        "+",
        "mds",
        "active",
        ("WRCB", 12),
        mismatch=("hla_drb1", "DRB1*04:01"),
        reservation="expired",
        dsa=("B*44:02",),
    ),
    PatientSpec("UH-2406", "M", 1, 9, "AB", "+", "pid", "na", ("EPCB", 57), reservation="released"),
    PatientSpec("UH-2407", "F", 34, 55, "B", "+", "lymphoma", "cr2", ("NCBB", 88), search=False),
    PatientSpec(
        "UH-2408",
        "F",
        3,
        13,
        "A",
        "-",
        "imd",
        "na",
        ("NCBB", 102),
        reservation="active",
        typing_requested=True,
    ),
)

# Transplants of earlier years: (disease group, how many, 1-year and 5-year survival odds).
HISTORY = (
    ("aml", 16, 0.72, 0.55),
    ("all", 14, 0.8, 0.66),
    ("thalassaemia", 10, 0.92, 0.88),
    ("saa", 6, 0.85, 0.8),
    ("mds", 6, 0.6, 0.45),
    ("imd", 4, 0.8, 0.75),
)
