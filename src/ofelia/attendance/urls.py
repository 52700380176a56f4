from django.urls import path

from . import views

app_name = "attendance"
urlpatterns = [
    path("espace/emargement/", views.trainer_sheets, name="trainer-sheets"),
    path("espace/emargement/<int:slot_pk>/", views.trainer_sheet, name="trainer-sheet"),
    path("espace/emargement/<int:slot_pk>/signer/<int:enrolment_pk>/", views.trainer_sign,
         name="trainer-sign"),
    path("espace/emargement/<int:slot_pk>/absent/<int:enrolment_pk>/", views.trainer_absent,
         name="trainer-absent"),
    path("espace/emargement/<int:slot_pk>/cloturer/", views.trainer_close, name="trainer-close"),
    path("espace/emargement/<int:slot_pk>/feuille.pdf", views.trainer_sheet_pdf,
         name="trainer-sheet-pdf"),
    path("espace/emarger/<str:token>/", views.qr_sign, name="qr-sign"),
    path("espace/emarger-a-distance/<int:slot_pk>/", views.remote_sign, name="remote-sign"),
    path("espace/mes-attestations/", views.my_attendance, name="my-attendance"),
    path("espace/mes-attestations/<int:pk>.pdf", views.my_document, name="my-document"),
    path("gestion/emargement/", views.staff_sessions, name="staff-sessions"),
    path("gestion/emargement/session/<int:pk>/", views.staff_session, name="staff-session"),
    path("gestion/emargement/session/<int:pk>/attestations.zip", views.staff_session_zip,
         name="staff-session-zip"),
    path("gestion/emargement/feuille/<int:pk>/", views.staff_sheet, name="staff-sheet"),
    path("gestion/emargement/document/<int:pk>.pdf", views.staff_document, name="staff-document"),
]
