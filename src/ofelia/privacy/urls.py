from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("espace/mes-donnees/", views.my_data, name="my-data"),
    path("espace/mes-donnees/mes-donnees.json", views.my_data_export, name="my-data-export"),
    path("gestion/donnees-personnelles/", views.request_list, name="request-list"),
    path("gestion/donnees-personnelles/<int:pk>/", views.request_detail, name="request-detail"),
]
