from django.urls import path

from apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<str:token_key>/revoke/", views.token_revoke, name="revoke"),
]
