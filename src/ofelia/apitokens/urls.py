from django.urls import path

from . import views

app_name = "apitokens"
urlpatterns = [
    path("gestion/jetons-api/", views.token_list, name="list"),
    path("gestion/jetons-api/<int:pk>/revoquer/", views.token_revoke, name="revoke"),
]
