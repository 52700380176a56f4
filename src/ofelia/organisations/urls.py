from django.urls import path

from . import views

urlpatterns = [
    path("clients/entreprises/", views.client_company_list, name="client-company-list"),
    path("clients/entreprises/nouvelle/", views.client_company_create, name="client-company-create"),
    path("clients/entreprises/<int:pk>/", views.client_company_detail, name="client-company-detail"),
    path("clients/entreprises/<int:pk>/modifier/", views.client_company_edit, name="client-company-edit"),
    path("clients/particuliers/", views.consumer_client_list, name="consumer-client-list"),
    path("apprenants/", views.learner_list, name="learner-list"),
    path("utilisateurs/", views.member_list, name="member-list"),
    path("utilisateurs/<int:pk>/suspension/", views.member_suspend, name="member-suspend"),
]
