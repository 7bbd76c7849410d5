from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

# The admin login goes through allauth (rate limits, MFA), never around it.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed static name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    # The names "login"/"logout" stay for templates written against Django's auth views; both are allauth's.
    path("accounts/login/", allauth_views.login, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    # Browsers ask for /favicon.ico on pages that name no icon (allauth's own templates, error pages).
    path("favicon.ico", favicon),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("reporting.urls")),
    path("", include("tracker.urls")),
]
