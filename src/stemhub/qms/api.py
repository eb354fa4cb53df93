"""The quality management system over HTTP. Each operation declares its permission; reading
needs qms.view in the record's institution. Each part's endpoints live in `<part>_api.py`."""

from ninja import Router

from stemhub.qms.iqc_api import router as iqc_router

router = Router(tags=["qms"])
router.add_router("", iqc_router)
