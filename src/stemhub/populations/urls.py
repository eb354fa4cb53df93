from django.urls import path

from stemhub.populations import views

app_name = "populations"

urlpatterns = [
    path("", views.population_list, name="list"),
    path("new/", views.population_create, name="create"),
    path("sets/<int:pk>/", views.set_detail, name="set_detail"),
    path("sets/<int:pk>/file/", views.set_download, name="set_download"),
    path("<str:code>/", views.population_detail, name="detail"),
    path("<str:code>/sets/", views.set_upload, name="set_upload"),
    path("<str:code>/default/", views.make_default, name="make_default"),
]
