from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

# The admin login goes through allauth (rate limits, MFA), never around it.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed static name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}

urlpatterns = [
    # The names "login"/"logout" stay for templates written against Django's auth views; both are allauth's.
    path("accounts/login/", allauth_views.login, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    # Browsers ask for /favicon.ico on pages that name no icon (allauth's own templates, error pages).
    path("favicon.ico", favicon),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("reporting.urls")),
    path("api/v1/", include("tracker.api.urls")),
    path("api/v1/", include("reporting.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so no page runs inline script. Both viewers
    # set inline styles (Redoc also parses in a blob: worker): only these two pages allow that.
    path(
        "api/docs/",
        login_required(csp_update(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        login_required(csp_update(DOCS_CSP)(SpectacularRedocView.as_view(url_name="api-schema"))),
        name="api-redoc",
    ),
    path("api-tokens/", include("apikeys.urls")),
    path("imports/", include("tracker.imports.urls")),
    path("", include("tracker.urls")),
]
