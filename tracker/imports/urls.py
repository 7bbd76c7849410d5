from django.urls import path, re_path

from tracker.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_page, name="page"),
    path("<str:token>/commit/", views.import_commit, name="commit"),
    re_path(r"^template/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<fmt>csv|xlsx)$", views.template_download, name="template"),
]
