from django.urls import path

from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.framework_list, name="home"),
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/<slug:slug>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<slug:slug>/items/<int:number>/", views.item_detail, name="item-detail"),
]
