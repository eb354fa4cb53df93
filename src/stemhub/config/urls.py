from django.contrib import admin
from django.urls import include, path

from stemhub.accounts.api import router as accounts_router
from stemhub.audit.api import router as audit_router
from stemhub.biobank.api import router as biobank_router
from stemhub.catalogue.api import router as catalogue_router
from stemhub.cordblood.api import router as cordblood_router
from stemhub.core.api import api
from stemhub.distribution.api import router as distribution_router
from stemhub.equipment.api import router as equipment_router
from stemhub.exchange.api import router as exchange_router
from stemhub.haplobank.api import router as haplobank_router
from stemhub.jobs.api import router as jobs_router
from stemhub.populations.api import router as populations_router
from stemhub.qms.api import router as qms_router
from stemhub.quality.api import router as quality_router
from stemhub.registry.api import router as registry_router
from stemhub.registry.api_names import router as names_router

for router in (
    accounts_router,
    catalogue_router,
    registry_router,
    names_router,
    exchange_router,
    audit_router,
    equipment_router,
    biobank_router,
    cordblood_router,
    quality_router,
    qms_router,
    distribution_router,
    populations_router,
    haplobank_router,
    jobs_router,
):
    api.add_router("/", router)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("stemhub.accounts.urls")),
    path("audit/", include("stemhub.audit.urls")),
    path("equipment/", include("stemhub.equipment.urls")),
    path("biobank/", include("stemhub.biobank.urls")),
    path("cord/", include("stemhub.cordblood.urls")),
    path("quality/", include("stemhub.quality.urls")),
    path("qms/", include("stemhub.qms.urls")),
    path("distribution/", include("stemhub.distribution.urls")),
    path("populations/", include("stemhub.populations.urls")),
    path("haplobank/", include("stemhub.haplobank.urls")),
    path("tasks/", include("stemhub.jobs.urls")),
    path("staff/import/", include("stemhub.exchange.urls")),
    path("", include("stemhub.quality.urls_public")),
    path("", include("stemhub.qms.urls_public")),
    path("", include("stemhub.catalogue.urls")),
    path("", include("stemhub.registry.urls")),
    path("", include("stemhub.core.urls")),
]
