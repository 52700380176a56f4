from django.urls import path

from . import people_views, views

urlpatterns = [
    path("clients/entreprises/", views.client_company_list, name="client-company-list"),
    path("clients/entreprises/nouvelle/", views.client_company_create, name="client-company-create"),
    path("clients/entreprises/<int:pk>/", views.client_company_detail, name="client-company-detail"),
    path("clients/entreprises/<int:pk>/modifier/", views.client_company_edit, name="client-company-edit"),
    path("organisme/parametres/", views.organisation_settings, name="organisation-settings"),
    path("utilisateurs/", views.member_list, name="member-list"),
    path("utilisateurs/<int:pk>/suspension/", views.member_suspend, name="member-suspend"),
]

urlpatterns += [
    path("apprenants/", people_views.learner_list, name="learner-list"),
    path("apprenants/nouveau/", people_views.learner_create, name="learner-create"),
    path("apprenants/<int:pk>/", people_views.learner_detail, name="learner-detail"),
    path("apprenants/<int:pk>/modifier/", people_views.learner_edit, name="learner-edit"),
    path("clients/particuliers/", people_views.consumer_client_list, name="consumer-client-list"),
    path("clients/particuliers/nouveau/", people_views.consumer_client_create, name="consumer-client-create"),
    path("clients/particuliers/<int:pk>/", people_views.consumer_client_detail, name="consumer-client-detail"),
    path("clients/particuliers/<int:pk>/modifier/", people_views.consumer_client_edit,
         name="consumer-client-edit"),
    path("clients/entreprises/<int:pk>/contacts/nouveau/", people_views.company_contact_create,
         name="company-contact-create"),
    path("clients/entreprises/<int:pk>/contacts/<int:contact_pk>/modifier/", people_views.company_contact_edit,
         name="company-contact-edit"),
    path("personnes/import/", people_views.import_upload, name="people-import"),
    path("personnes/import/modele-<slug:kind>.csv", people_views.import_template, name="people-import-template"),
    path("personnes/doublons/", people_views.duplicate_list, name="person-duplicates"),
    path("personnes/doublons/fusion/", people_views.person_merge, name="person-merge"),
]
