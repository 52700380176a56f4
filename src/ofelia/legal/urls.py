from django.urls import path

from . import views

app_name = "legal"

urlpatterns = [
    path("plateforme/donnees-legales/", views.legal_data_page, name="data"),
]
