"""A three-haplotype population set, homozygous lines and cord units, and a patient, for the
haplobank tests and their permission cases."""

from typing import Any

from stemhub.cordblood.models import Kind, Patient, Unit, UnitStatus
from stemhub.populations.models import HaplotypeSet, Population
from stemhub.populations.services import haplotype_set_load, population_create
from stemhub.registry import services
from stemhub.registry.models import CellLine
from tests.registry.lines import publishable

H1 = "A*02:07~C*01:02~B*46:01~DRB1*09:01~DQB1*03:03"
H2 = "A*33:03~C*03:02~B*58:01~DRB1*03:01~DQB1*02:01"
H3 = "A*11:01~C*07:02~B*40:01~DRB1*09:01~DQB1*03:03"
SET = f"haplotype,count,frequency\n{H1},5,0.5\n{H2},3,0.3\n{H3},2,0.2\n".encode()
# The haplotypes at A~B~DRB1, as the plan names them.
ABDR = {
    H1: "A*02:07~B*46:01~DRB1*09:01",
    H2: "A*33:03~B*58:01~DRB1*03:01",
    H3: "A*11:01~B*40:01~DRB1*09:01",
}
PK = 910001


def gl(one: str, two: str) -> str:
    """The GL string of a person carrying haplotypes `one` and `two`."""
    a, b = one.split("~"), two.split("~")
    return "^".join(f"{x}+{y}" for x, y in zip(a, b, strict=True))


def chn_set(users: dict[str, Any]) -> HaplotypeSet:
    admin = users["platform_admin"]
    population = population_create(actor=admin, code="CHN", name="Han Chinese (test)")
    return haplotype_set_load(
        actor=admin, population=population, filename="chn.csv", chunks=[SET], source="hand-made"
    )


def line(users: dict[str, Any], name: str, typing: str, *, published: bool, who: str = "curator"):
    curator = users[who]
    data = publishable(name, hla_typing=typing, synonyms=[])
    data["donor"] = {**data["donor"], "code": f"D-{name}"}
    found = services.cell_line_create(actor=curator, data=data)
    if published:
        services.cell_line_submit(actor=curator, line=found)
        services.cell_line_start_review(actor=curator, line=found)
        services.cell_line_publish(actor=curator, line=found)
    return CellLine.objects.get(pk=found.pk)


def unit(bank, local_id: str, typing: str, *, status=UnitStatus.AVAILABLE, kind=Kind.CORD, pk=None):
    number = sum(ord(c) for c in local_id) % 1_000_000
    return Unit.objects.create(
        pk=pk,
        bank=bank,
        kind=kind,
        local_id=local_id,
        din=f"G1234{number:08d}" if kind == Kind.CORD else "",
        din_check="X" if kind == Kind.CORD else "",
        tnc=150 if kind == Kind.CORD else None,
        cd34=4.5,
        status=status,
        hla_gl=typing,
    )


def patient(centre, typing: str, pk: int = PK, population: Population | None = None) -> Patient:
    return Patient.objects.create(
        pk=pk,
        centre=centre,
        centre_patient_id=f"P{pk}",
        weight_kg=20,
        hla_gl=typing,
        population=population,
    )


def set_and_patient(users: dict[str, Any]) -> None:
    """Setup of the permission cases: the CHN set, a homozygous line, the coordinator's patient."""
    chn_set(users)
    line(users, "NSCBi001-A", gl(H1, H1), published=True)
    patient(users["search_coordinator"].institution, gl(H1, H2))
