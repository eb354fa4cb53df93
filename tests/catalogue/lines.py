"""Published lines for the catalogue's tests, made through the registry services."""

from stemhub.registry import services
from tests.registry.lines import publishable

PARKINSON = {"ontology": "DOID", "term_id": "DOID:14330", "label": "Parkinson's disease"}
ALZHEIMER = {"ontology": "DOID", "term_id": "DOID:10652", "label": "Alzheimer's disease"}


def make(actor, name, *, publish=True, disease=None, sex="female", **fields):
    donor = {"code": f"donor-{name}", "sex": sex, "age_bin": "60-64"}
    if disease:
        donor["diseases"] = [disease]
    line = services.cell_line_create(
        actor=actor,
        data=publishable(name, synonyms=fields.pop("synonyms", []), donor=donor, **fields),
    )
    if publish:
        services.cell_line_submit(actor=actor, line=line)
        services.cell_line_start_review(actor=actor, line=line)
        services.cell_line_publish(actor=actor, line=line)
    return line
