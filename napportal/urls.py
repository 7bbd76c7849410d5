from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin login goes through allauth (rate limits, MFA), never around it.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("tracker.urls")),
]
