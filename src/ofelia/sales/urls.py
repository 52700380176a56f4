from django.urls import path

from . import online_views, views

app_name = "sales"
urlpatterns = [
    path("ventes/", views.pipeline, name="pipeline"),
    path("ventes/devis/nouveau/", views.quote_create, name="quote-create"),
    path("ventes/devis/ligne/", views.quote_line_row, name="quote-line-row"),
    path("ventes/devis/stagiaires/", views.quote_learners, name="quote-learners"),
    path("ventes/devis/<int:pk>/", views.quote_detail, name="quote-detail"),
    path("ventes/devis/<int:pk>/<slug:action>/", views.quote_action, name="quote-action"),
    path("ventes/contrats/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("ventes/contrats/<int:pk>/modifier/", views.contract_edit, name="contract-edit"),
    path("ventes/contrats/<int:pk>/evenements/<int:event_pk>/resultat/",
         views.contract_event_outcome, name="contract-event-outcome"),
    path("ventes/contrats/<int:pk>/evenement/champs/", views.contract_event_fields,
         name="contract-event-fields"),
    path("ventes/contrats/<int:pk>/avenants/<int:number>.pdf", views.amendment_pdf,
         name="amendment-pdf"),
    path("ventes/contrats/<int:pk>/signer/", views.contract_sign, name="contract-sign"),
    path("ventes/contrats/<int:pk>/evenement/", views.contract_event, name="contract-event"),
    path("ventes/contrats/<int:pk>/convocations/", views.contract_convocations, name="contract-convocations"),
    path("ventes/contrats/<int:pk>/document.pdf", views.contract_pdf, name="contract-pdf"),
    path("ventes/sessions/", views.session_list, name="session-list"),
    path("ventes/sessions/<int:pk>/", views.session_roster, name="session-roster"),
    path("ventes/sessions/<int:pk>/convocations/", views.session_convocations, name="session-convocations"),
    path("ventes/inscriptions/<int:pk>/contrat/", views.enrolment_contract, name="enrolment-contract"),
    path("ventes/liens-acces/", online_views.access_links, name="access-links"),
    path("acces/<str:secret>/", online_views.access_link_use, name="access-link-use"),
    path("o/<slug:slug>/commander/<int:session_id>/", online_views.order, name="order"),
    path("o/<slug:slug>/formulaire-retractation.pdf", online_views.retraction_form_pdf,
         name="retraction-form"),
    path("espace/formations/", views.my_trainings, name="my-trainings"),
    path("espace/formations/<int:pk>/contrat.pdf", views.my_contract_pdf, name="my-contract-pdf"),
    path("espace/formations/<int:pk>/convocation.<slug:fmt>", views.my_convocation, name="my-convocation"),
    path("espace/formations/<int:pk>/retractation/", online_views.my_retraction, name="my-retraction"),
    path("espace/lien-perdu/", online_views.access_link_report_loss, name="access-link-lost"),
]
