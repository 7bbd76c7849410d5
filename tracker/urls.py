from django.urls import path

from tracker import dashboard_views, views

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
]
