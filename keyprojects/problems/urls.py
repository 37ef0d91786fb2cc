from django.urls import path

from . import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("add/", views.problem_add, name="add"),
    path("statistics/", views.problem_stats, name="stats"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/act/", views.problem_act, name="act"),
]
