from django.urls import path

from tracker.accounts import views as account_views
from tracker.validation import views as validation
from tracker.views import dashboard, entry_form, entry_grid, notices, proposals, reference, workflow

app_name = "tracker"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/charts/<slug:code>/", dashboard.dashboard_chart, name="dashboard-chart"),
    path("dashboard/bodies/<slug:code>/", dashboard.dashboard_bodies, name="dashboard-bodies"),
    path("explore/", dashboard.explorer, name="explorer"),
    path("explore/export.csv", dashboard.export_csv, name="explorer-export-csv"),
    path("explore/export.xlsx", dashboard.export_xlsx, name="explorer-export-xlsx"),
    path("explore/exports/<slug:job_id>/", dashboard.export_job, name="export-job"),
    path("explore/exports/<slug:job_id>/file/", dashboard.export_job_file, name="export-job-file"),
    path("indicators/proposals/", proposals.proposal_list, name="proposal-list"),
    path("indicators/proposals/new/", proposals.proposal_create, name="proposal-create"),
    path("indicators/proposals/<int:pk>/", proposals.proposal_detail, name="proposal-detail"),
    path("indicators/<slug:code>/", dashboard.indicator_detail, name="indicator-detail"),
    path("frameworks/", reference.framework_list, name="framework-list"),
    path("frameworks/<slug:slug>/", reference.framework_detail, name="framework-detail"),
    path("frameworks/<slug:slug>/items/<int:number>/", reference.item_detail, name="item-detail"),
    # The workflow (tracker/workflow.py)
    path("updates/", workflow.my_updates, name="my-updates"),
    path("updates/entry/<slug:body>/<str:cadence>/", entry_grid.entry_grid, name="entry-grid"),
    path("observations/new/", workflow.observation_create, name="observation-create"),
    path("observations/new/context/", entry_form.observation_figure_context, name="observation-figure-context"),
    path("observations/<int:pk>/", workflow.observation_detail, name="observation-detail"),
    path("observations/<int:pk>/edit/", workflow.observation_edit, name="observation-edit"),
    path("observations/<int:pk>/submit/", workflow.observation_submit, name="observation-submit"),
    path("observations/<int:pk>/approve/", workflow.observation_approve, name="observation-approve"),
    path("observations/<int:pk>/verify/", workflow.observation_verify, name="observation-verify"),
    path("observations/<int:pk>/return/", workflow.observation_return, name="observation-return"),
    path("observations/<int:pk>/correct/", workflow.observation_correct, name="observation-correct"),
    path("observations/<int:pk>/evidence/", workflow.evidence_upload, name="evidence-upload"),
    path(
        "observations/<int:pk>/evidence/<int:evidence_pk>/",
        workflow.evidence_download,
        name="evidence-download",
    ),
    path(
        "observations/<int:pk>/evidence/<int:evidence_pk>/remove/",
        workflow.evidence_remove,
        name="evidence-remove",
    ),
    path("observations/<int:pk>/comments/", workflow.comment_create, name="comment-create"),
    path("review/", workflow.review_queue, name="review-queue"),
    path("audit/", workflow.audit_log, name="audit-log"),
    path("audit/export.csv", workflow.audit_export_csv, name="audit-export-csv"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/read/", notices.notices_read_all, name="notices-read-all"),
    path("notices/<int:pk>/open/", notices.notice_open, name="notice-open"),
    path("validation/", validation.validation_page, name="validation"),
    path("validation/export.csv", validation.export_csv, name="validation-export-csv"),
    path("validation/export.xlsx", validation.export_xlsx, name="validation-export-xlsx"),
    path("validation/findings/<int:pk>/follow-up/", validation.follow_up, name="finding-follow-up"),
    path("users/invite/", account_views.invite_user, name="user-invite"),
]
