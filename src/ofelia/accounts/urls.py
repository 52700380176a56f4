from django.urls import path

from . import invitation_views, views

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oubli/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("o/<slug:slug>/inscription/", views.signup, name="signup"),
    path("utilisateurs/invitations/", invitation_views.invitation_list, name="invitation-list"),
    path("utilisateurs/invitations/<int:pk>/renvoyer/", invitation_views.invitation_resend,
         name="invitation-resend"),
    path("invitation/<str:secret>/", invitation_views.invitation_accept, name="invitation-accept"),
]
