from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from stemhub.accounts import member_views, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(extra_context={"failure_limit": settings.AXES_FAILURE_LIMIT}),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The password pages name their templates: django.contrib.admin, listed before this app,
    # ships registration/password_reset_*.html of its own, which would win by the same name.
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(template_name="accounts/password_reset_form.html"),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("institutions/", member_views.institutions, name="institutions"),
    path("institutions/<str:code>/members/", member_views.members, name="members"),
    path("institutions/<str:code>/members/new/", member_views.member_new, name="member_new"),
    path("institutions/<str:code>/members/<str:username>/", member_views.member, name="member"),
    path(
        "institutions/<str:code>/members/<str:username>/<slug:action>/",
        member_views.member_action,
        name="member_action",
    ),
]
