"""Line payloads for tests: the minimum hPSCreg asks for before publication."""

from typing import Any


def publishable(name: str = "NSCBi001-A", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "line_type": "hiPSC",
        "consent_obtained": True,
        "ethics_approval": "EC-2024-17",
        "derivation_method": "reprogramming",
        "source_cell_type_id": "CL:0000057",
        "source_cell_type": "fibroblast",
        "vector": "sendai",
        "markers": [
            {
                "marker": "OCT4",
                "method": "flow cytometry",
                "result": "positive",
                "percent_positive": "97.50",
            }
        ],
        "differentiations": [
            {"germ_layer": layer, "mode": "in_vitro_directed"}
            for layer in ("endoderm", "mesoderm", "ectoderm")
        ],
        "donor": {
            "code": "D-001",
            "sex": "female",
            "age_bin": "30-34",
            "diseases": [
                {"ontology": "DOID", "term_id": "DOID:10652", "label": "Alzheimer's disease"}
            ],
        },
        "synonyms": ["AD-iPS-1"],
    }
    data.update(overrides)
    return data
