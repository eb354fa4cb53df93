"""The quality management system over HTTP. Each operation declares its permission; reading
needs qms.view in the record's institution."""

from ninja import Router

from stemhub.qms.competence_api import router as competence_router

router = Router(tags=["qms"])
router.add_router("", competence_router)
