from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.report_page, name="report"),
    path("reports/generate/", views.edition_generate, name="generate"),
    path("reports/editions/", views.edition_archive, name="archive"),
    path("reports/editions/compare/", views.edition_compare, name="compare"),
    path("reports/editions/<int:pk>/", views.edition_detail, name="edition-detail"),
    path("reports/editions/<int:pk>/status/", views.edition_status, name="edition-status"),
    path("reports/editions/<int:pk>/<str:fmt>/", views.edition_file, name="edition-file"),
    path("reports/subscriptions/<slug:framework>/", views.subscription_update, name="subscription"),
]
