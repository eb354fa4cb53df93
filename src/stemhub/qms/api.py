"""The quality management system over HTTP. Each operation declares its permission; reading
needs qms.view in the record's institution."""

from ninja import Router

from stemhub.qms.audits_api import router as audits_router

router = Router(tags=["qms"])
router.add_router("", audits_router)
