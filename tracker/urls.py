from django.urls import path

from tracker import dashboard_views, views, workflow_views
from tracker.accounts import views as account_views

app_name = "tracker"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("explore/", dashboard_views.explorer, name="explorer"),
    path("explore/export.csv", dashboard_views.export_csv, name="explorer-export-csv"),
    path("explore/export.xlsx", dashboard_views.export_xlsx, name="explorer-export-xlsx"),
    path("indicators/<slug:code>/", dashboard_views.indicator_detail, name="indicator-detail"),
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/<slug:slug>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<slug:slug>/items/<int:number>/", views.item_detail, name="item-detail"),
    # The workflow (tracker/workflow_views.py)
    path("updates/", workflow_views.my_updates, name="my-updates"),
    path("observations/new/", workflow_views.observation_create, name="observation-create"),
    path("observations/<int:pk>/", workflow_views.observation_detail, name="observation-detail"),
    path("observations/<int:pk>/edit/", workflow_views.observation_edit, name="observation-edit"),
    path("observations/<int:pk>/submit/", workflow_views.observation_submit, name="observation-submit"),
    path("observations/<int:pk>/approve/", workflow_views.observation_approve, name="observation-approve"),
    path("observations/<int:pk>/return/", workflow_views.observation_return, name="observation-return"),
    path("observations/<int:pk>/correct/", workflow_views.observation_correct, name="observation-correct"),
    path("observations/<int:pk>/evidence/", workflow_views.evidence_upload, name="evidence-upload"),
    path(
        "observations/<int:pk>/evidence/<int:evidence_pk>/",
        workflow_views.evidence_download,
        name="evidence-download",
    ),
    path("review/", workflow_views.review_queue, name="review-queue"),
    path("audit/", workflow_views.audit_log, name="audit-log"),
    path("users/invite/", account_views.invite_user, name="user-invite"),
]
