from django.urls import path

from stemhub.qms import iqc_views, views

app_name = "qms"

urlpatterns = [
    path("", views.qms_home, name="home"),
    path("iqc/", iqc_views.iqc_overview, name="iqc_overview"),
    path("iqc/materials/", iqc_views.iqc_material_define, name="iqc_material_define"),
    path("iqc/materials/<int:pk>/", iqc_views.iqc_material, name="iqc_material"),
    path("iqc/materials/<int:pk>/runs/", iqc_views.iqc_run_record, name="iqc_run_record"),
    path("proficiency/", iqc_views.pt_list, name="pt_list"),
    path("proficiency/schemes/", iqc_views.pt_scheme_create, name="pt_scheme_create"),
    path("proficiency/rounds/", iqc_views.pt_round_register, name="pt_round_register"),
    path("proficiency/rounds/<int:pk>/result/", iqc_views.pt_result_enter, name="pt_result_enter"),
    path("proficiency/rounds/<int:pk>/review/", iqc_views.pt_round_review, name="pt_round_review"),
]
