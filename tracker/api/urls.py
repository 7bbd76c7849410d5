from django.urls import path
from rest_framework.routers import DefaultRouter

from tracker.api import imports, status, views
from tracker.validation.api import ValidationListView

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("agenda-items", views.AgendaItemViewSet, basename="agenda-item")
router.register("crosswalk", views.CrosswalkViewSet, basename="crosswalk")
router.register("bodies", views.BodyViewSet, basename="body")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("sources", views.SourceViewSet, basename="source")
router.register("observations", views.ObservationViewSet, basename="observation")
router.register("assessments", views.AssessmentViewSet, basename="assessment")

urlpatterns = [
    path("imports/", imports.ImportView.as_view(), name="import"),
    path("status/", status.StatusView.as_view(), name="status"),
    path("validation/", ValidationListView.as_view(), name="validation"),
    path("imports/template/", imports.ImportTemplateView.as_view(), name="import-template"),
    *router.urls,
]
