from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from accounts import views as account_views
from accounts.forms import LoginForm
from sending import recipient_views
from sending import views as sending_views
from sesconsole.api.endpoint import api_endpoint
from sesconsole.views import healthz

admin.site.site_header = "SES Console staff"
admin.site.site_title = "SES Console staff"

auth_urls = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """The console's overview, or an API call: the SDK always POSTs to /."""
    if request.method == "POST" and "HTTP_X_TC_ACTION" in request.META:
        return api_endpoint(request)
    return account_views.overview(request)


urlpatterns = [
    path("", root, name="overview"),
    path("api/", api_endpoint, name="api"),
    path("healthz", healthz, name="healthz"),
    *auth_urls,
    path("", include("accounts.urls")),
    path("", include("domains.urls")),
    path("", include("templates_app.urls")),
    path("", include("sending.urls")),
    path("", include("stats.urls")),
    path("u/<str:token>/", sending_views.unsubscribe_view, name="unsubscribe"),
    path("t/o/<str:token>/", recipient_views.track_open, name="track_open"),
    path("t/c/<str:token>/", recipient_views.track_click, name="track_click"),
    path("admin/", admin.site.urls),
]
