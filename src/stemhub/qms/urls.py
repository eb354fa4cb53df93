from django.urls import path

from stemhub.qms import capa_views, complaint_views, views

app_name = "qms"

urlpatterns = [
    path("", views.qms_home, name="home"),
    # CAPA
    path("capa/", capa_views.capa_list, name="capa_list"),
    path("capa/new/", capa_views.capa_new, name="capa_new"),
    path("capa/<int:pk>/", capa_views.capa_detail, name="capa_detail"),
    path("capa/<int:pk>/investigation/", capa_views.capa_investigation, name="capa_investigation"),
    path("capa/<int:pk>/actions/", capa_views.capa_action_add, name="capa_action_add"),
    path(
        "capa/<int:pk>/effectiveness-plan/",
        capa_views.capa_effectiveness_plan,
        name="capa_effectiveness_plan",
    ),
    path("capa/<int:pk>/effectiveness/", capa_views.capa_effectiveness, name="capa_effectiveness"),
    path("capa/<int:pk>/close/", capa_views.capa_close, name="capa_close"),
    path("capa/<int:pk>/reassign/", capa_views.capa_reassign, name="capa_reassign"),
    path("capa/actions/<int:pk>/done/", capa_views.capa_action_done, name="capa_action_done"),
    path(
        "capa/actions/<int:pk>/evidence/",
        capa_views.capa_action_evidence,
        name="capa_action_evidence",
    ),
    # Complaints
    path("complaints/", complaint_views.complaint_list, name="complaint_list"),
    path("complaints/new/", complaint_views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", complaint_views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/review/", complaint_views.complaint_review, name="complaint_review"),
    path("complaints/<int:pk>/capa/", complaint_views.complaint_capa, name="complaint_capa"),
    path("complaints/<int:pk>/close/", complaint_views.complaint_close, name="complaint_close"),
]
