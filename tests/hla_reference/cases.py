"""Hand-made typings covering the rules of domain.md §4, for the agreement test.

Each of them is matched against every other one and against generated donors/patients.
"""

from __future__ import annotations

EDGE_TYPINGS: list[tuple[str, str]] = [
    # null allele in a list with an expressing allele (ignored)
    (
        "E01",
        "HLA-A*01:04N/HLA-A*02:01+HLA-A*03:01^HLA-B*08:01+HLA-B*07:02^HLA-C*07:01+HLA-C*07:02"
        "^HLA-DRB1*15:01+HLA-DRB1*03:01^HLA-DQB1*06:02+HLA-DQB1*02:01",
    ),
    # positions typed only as null: locus homozygous for the other position
    (
        "E02",
        "HLA-A*01:04N+HLA-A*03:01^HLA-B*44:02+HLA-B*44:03^HLA-C*05:01+HLA-C*05:07N"
        "^HLA-DRB1*04:01+HLA-DRB1*07:01^HLA-DQB1*03:01+HLA-DQB1*02:02",
    ),
    (
        "E03",
        "HLA-A*01:01+HLA-A*01:16N^HLA-B*08:01+HLA-B*08:01^HLA-C*07:01+HLA-C*07:01"
        "^HLA-DRB1*03:01+HLA-DRB1*03:01^HLA-DQB1*02:01+HLA-DQB1*02:01",
    ),
    # MACs containing a null (A*24:AMG = 24:02/24:09N, B*51:CKY = 51:01/51:11N, DKG = 08:01/08:08N)
    (
        "E04",
        "HLA-A*24:AMG+HLA-A*02:01^HLA-B*51:CKY+HLA-B*08:DKG^HLA-C*07:01+HLA-C*15:02"
        "^HLA-DRB1*11:01+HLA-DRB1*03:01^HLA-DQB1*03:01+HLA-DQB1*02:01",
    ),
    (
        "E05",
        "HLA-A*24:09N+HLA-A*02:01^HLA-B*51:01+HLA-B*08:08N^HLA-C*07:01+HLA-C*15:02"
        "^HLA-DRB1*11:01+HLA-DRB1*03:01^HLA-DQB1*03:01+HLA-DQB1*02:01",
    ),
    # XX codes
    (
        "E06",
        "HLA-A*02:XX+HLA-A*01:XX^HLA-B*44:XX+HLA-B*07:02^HLA-C*07:XX+HLA-C*05:01"
        "^HLA-DRB1*15:XX+HLA-DRB1*04:01^HLA-DQB1*06:XX+HLA-DQB1*03:01",
    ),
    # serology: broad (A9, B12, DR2, DQ1, DQ3), split (A24, B44, DR15), associated (A203)
    ("E07", "HLA-A9+HLA-A2^HLA-B12+HLA-B7^HLA-Cw7+HLA-Cw5^HLA-DR2+HLA-DR4^HLA-DQ1+HLA-DQ3"),
    ("E08", "HLA-A24+HLA-A203^HLA-B44+HLA-B8^HLA-Cw7+HLA-Cw4^HLA-DR15+HLA-DR17^HLA-DQ6+HLA-DQ2"),
    ("E09", "HLA-A23+HLA-A1^HLA-B45+HLA-B8^HLA-DR16+HLA-DR3"),
    # G and P groups
    (
        "E10",
        "HLA-A*02:01:01G+HLA-A*01:01P^HLA-B*08:01:01G+HLA-B*07:02P^HLA-C*07:01:01G+HLA-C*07:02P"
        "^HLA-DRB1*15:01:01G+HLA-DRB1*03:01P^HLA-DQB1*06:02:01G+HLA-DQB1*02:01P",
    ),
    # untyped C and DQB1; only DQB1 untyped
    ("E11", "HLA-A*01:01+HLA-A*02:01^HLA-B*08:01+HLA-B*07:02^HLA-DRB1*15:01+HLA-DRB1*03:01"),
    (
        "E12",
        "HLA-A*01:01+HLA-A*02:01^HLA-B*08:01+HLA-B*07:02^HLA-C*07:01+HLA-C*07:02"
        "^HLA-DRB1*15:01+HLA-DRB1*03:01",
    ),
    # alleles in no P group (A*01:06, A*01:07 in hla_nom_p.txt: 'A*;01:06;'), 4-field names,
    # expression suffixes L and S
    (
        "E13",
        "HLA-A*01:06+HLA-A*02:01:01:02L^HLA-B*44:02:01:02S+HLA-B*07:02:01:01"
        "^HLA-C*05:01:01:01+HLA-C*07:02^HLA-DRB1*04:01+HLA-DRB1*15:01^HLA-DQB1*03:01+HLA-DQB1*06:02",
    ),
    (
        "E14",
        "HLA-A*01:07+HLA-A*01:06^HLA-B*44:02+HLA-B*07:02^HLA-C*05:01+HLA-C*07:02"
        "^HLA-DRB1*04:01+HLA-DRB1*15:01^HLA-DQB1*03:01+HLA-DQB1*06:02",
    ),
    # MAC codes ending in G and XX (JEG, CXX, GKXX: generic) must be read as MACs
    (
        "E15",
        "HLA-A*29:GKXX+HLA-A*02:AB^HLA-B*44:02+HLA-B*07:02^HLA-C*05:JEG+HLA-C*03:CXX"
        "^HLA-DRB1*04:01+HLA-DRB1*15:01^HLA-DQB1*03:01+HLA-DQB1*06:02",
    ),
    # cross orientation and homozygous
    (
        "E16",
        "HLA-A*02:01+HLA-A*01:01^HLA-B*07:02+HLA-B*08:01^HLA-C*07:02+HLA-C*07:01"
        "^HLA-DRB1*03:01+HLA-DRB1*15:01^HLA-DQB1*02:01+HLA-DQB1*06:02",
    ),
    # lists spanning P groups, with and without nulls, no HLA- prefix
    (
        "E17",
        "A*02:01/A*02:05/A*02:15N+A*11:01/A*11:02^B*44:02/B*44:03+B*35:01^C*04:01+C*05:01"
        "^DRB1*04:01/DRB1*04:04+DRB1*13:01^DQB1*03:01/DQB1*03:02+DQB1*06:03",
    ),
]
