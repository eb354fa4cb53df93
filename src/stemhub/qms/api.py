"""The quality management system over HTTP. Each operation declares its permission; reading
needs qms.view in the record's institution."""

from ninja import Router

from stemhub.qms.api_documents import router as documents_router
from stemhub.qms.audits_api import router as audits_router
from stemhub.qms.capa_api import router as capa_router
from stemhub.qms.competence_api import router as competence_router
from stemhub.qms.iqc_api import router as iqc_router

router = Router(tags=["qms"])
router.add_router("", documents_router)
router.add_router("", capa_router)
router.add_router("", audits_router)
router.add_router("", competence_router)
router.add_router("", iqc_router)
