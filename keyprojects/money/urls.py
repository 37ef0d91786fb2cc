from django.urls import path

from . import views

app_name = "money"
urlpatterns = [path("projects/<int:pk>/money/", views.project_money, name="project")]
