from django.urls import path

from . import review_views, views

app_name = "catalogue"
urlpatterns = [
    path("gestion/catalogue/", views.training_list, name="training-list"),
    path("gestion/catalogue/nouvelle/", views.training_form, name="training-create"),
    path("gestion/catalogue/<int:pk>/", views.training_form, name="training-edit"),
    path("gestion/formateurs/", views.trainer_list, name="trainer-list"),
    path("gestion/sessions/nouvelle/", views.session_form, name="session-create"),
    path("gestion/sessions/<int:pk>/modifier/", views.session_form, name="session-edit"),
    path("o/<slug:slug>/catalogue/", views.public_catalogue, name="public-list"),
    path("o/<slug:slug>/catalogue/<int:pk>/", views.public_training, name="public-detail"),
    path("o/<slug:slug>/avis.json", review_views.public_feed, name="public-reviews"),
    path("espace/avis/", review_views.my_reviews, name="my-reviews"),
    path("gestion/avis/", review_views.review_list, name="review-list"),
    path("gestion/avis/<int:pk>/<slug:action>/", review_views.review_moderate, name="review-moderate"),
]
