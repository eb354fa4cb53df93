"""A database with some of every kind of record a centre keeps, written through the services
(so the audit trail and the history tables fill as they do in use): institutions and people,
a published line with its versions, a storage tree with a bank and its vials, QC results (one
with its instrument's raw file), a signed release with its certificate PDF, a controlled
document in force with its file, a population's haplotype frequency set, and cord units."""

from typing import Any

from stemhub.accounts.models import Institution, Role
from stemhub.cordblood.uploads import units_import
from stemhub.populations.services import haplotype_set_load, population_create
from stemhub.quality import services as quality
from tests.conftest import PASSWORD, make_user
from tests.qms.documents_setup import advance, drafted, sop
from tests.quality.setups import pass_everything, qc_bank, record

FREQUENCIES = (
    b"haplotype,count,frequency\n"
    b"A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01,10,0.6\n"
    b"A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:01,5,0.4\n"
)


def fill(users: dict[str, Any]) -> None:
    tech = users["bank_technician"]
    bank = qc_bank(users, vials=6)
    record(
        tech,
        bank,
        "endotoxin",
        raw_file=quality.Upload(
            name="plate.csv", content=b"well,od\nA1,0.12\n", content_type="text/csv"
        ),
    )
    pass_everything(tech, bank, skip=("endotoxin",))
    quality.bank_release(actor=users["qa_manager"], bank=bank, password=PASSWORD)
    advance(users, drafted(users, sop(users), "1"), "effective")
    admin = users["platform_admin"]
    population = population_create(actor=admin, code="CHN-S", name="Han Chinese, south")
    haplotype_set_load(
        actor=admin,
        population=population,
        filename="chn-s.csv",
        chunks=[FREQUENCIES],
        source="hand-made",
    )
    cord_bank = Institution.objects.create(
        name="National Cord Blood Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="NCBB"
    )
    cord_tech = make_user("cord_tech", cord_bank, Role.BANK_TECHNICIAN)
    units_import(
        actor=cord_tech, bank=cord_bank, filename="units.json", content=cord_units(), mode="full"
    )


def cord_units() -> bytes:
    import json

    from tests.cordblood.conftest import unit_row

    rows = [unit_row(f"U{n:03d}", n) for n in range(1, 13)]
    return json.dumps(rows).encode()
