from django.urls import path

from . import views

app_name = "hosting"

urlpatterns = [
    path("gestion/classes-virtuelles/", views.classes, name="classes"),
    path("gestion/classes-virtuelles/<int:pk>/", views.class_detail, name="class"),
    path("espace/classes-virtuelles/", views.my_classes, name="my-classes"),
    path("espace/classes-virtuelles/<int:pk>/", views.my_class, name="my-class"),
]
