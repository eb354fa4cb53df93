from django.contrib import admin
from django.urls import include, path

from stemhub.accounts.api import router as accounts_router
from stemhub.catalogue.api import router as catalogue_router
from stemhub.core.api import api
from stemhub.exchange.api import router as exchange_router
from stemhub.registry.api import router as registry_router
from stemhub.registry.api_names import router as names_router

api.add_router("/", accounts_router)
api.add_router("/", catalogue_router)
api.add_router("/", registry_router)
api.add_router("/", names_router)
api.add_router("/", exchange_router)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("stemhub.accounts.urls")),
    path("", include("stemhub.catalogue.urls")),
    path("", include("stemhub.registry.urls")),
    path("", include("stemhub.core.urls")),
]
