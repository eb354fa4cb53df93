from django.urls import path

from stemhub.qms import audits_views, views

app_name = "qms"

urlpatterns = [
    path("", views.qms_home, name="home"),
    path("audits/", audits_views.audit_programme, name="audits_programme"),
    path("audits/new/", audits_views.audit_new, name="audits_new"),
    path("audits/<int:pk>/", audits_views.audit_detail, name="audits_detail"),
    path("audits/<int:pk>/start/", audits_views.audit_start, name="audits_start"),
    path(
        "audits/<int:pk>/checklist/<int:item_pk>/",
        audits_views.audit_answer,
        name="audits_answer",
    ),
    path(
        "audits/<int:pk>/checklist/add/",
        audits_views.audit_question_add,
        name="audits_question_add",
    ),
    path(
        "audits/<int:pk>/findings/",
        audits_views.audit_finding_record,
        name="audits_finding_record",
    ),
    path(
        "audits/<int:pk>/findings/<int:finding_pk>/grade/",
        audits_views.audit_finding_grade,
        name="audits_finding_grade",
    ),
    path(
        "audits/<int:pk>/findings/<int:finding_pk>/capa/",
        audits_views.audit_finding_capa,
        name="audits_finding_capa",
    ),
    path("audits/<int:pk>/report/", audits_views.audit_report_submit, name="audits_report"),
    path("audits/<int:pk>/approve/", audits_views.audit_report_approve, name="audits_approve"),
    path("audits/<int:pk>/close/", audits_views.audit_close, name="audits_close"),
    path("reviews/", audits_views.review_list, name="audits_reviews"),
    path("reviews/new/", audits_views.review_new, name="audits_review_new"),
    path("reviews/<int:pk>/", audits_views.review_detail, name="audits_review_detail"),
]
