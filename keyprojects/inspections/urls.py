from django.urls import path

from . import views, views_hazards, views_incidents, views_templates

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("add/", views.inspection_add, name="add"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/record/", views.inspection_record, name="record"),
    path("<int:pk>/delete/", views.inspection_delete, name="delete"),
    path("projects/<int:pk>/", views.project_record, name="project"),
    path("hazards/", views_hazards.hazard_list, name="hazards"),
    path("hazards/<int:pk>/", views_hazards.hazard_detail, name="hazard"),
    path("hazards/<int:pk>/act/", views_hazards.hazard_act, name="hazard_act"),
    path("incidents/", views_incidents.incident_list, name="incidents"),
    path("incidents/add/", views_incidents.incident_add, name="incident_add"),
    path("incidents/<int:pk>/", views_incidents.incident_detail, name="incident"),
    path("incidents/<int:pk>/edit/", views_incidents.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/delete/", views_incidents.incident_delete, name="incident_delete"),
    path("templates/", views_templates.template_list, name="templates"),
    path("templates/<int:pk>/", views_templates.template_detail, name="template"),
]
