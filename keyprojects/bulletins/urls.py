from django.urls import path

from . import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_new, name="new"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("<int:pk>/refresh/", views.bulletin_refresh, name="refresh"),
    path("<int:pk>/files/", views.bulletin_make_files, name="make_files"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/delete/", views.bulletin_delete, name="delete"),
    path("<int:pk>/job/", views.bulletin_job, name="job"),
    path("<int:pk>/print/", views.bulletin_print, name="print"),
    path("<int:pk>/download/<str:kind>/", views.bulletin_download, name="download"),
]
