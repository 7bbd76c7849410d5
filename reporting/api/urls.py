from rest_framework.routers import DefaultRouter

from reporting.api import views

app_name = "reporting-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("report-editions", views.ReportEditionViewSet, basename="report-edition")

urlpatterns = router.urls
