from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<slug:slug>/", views.project_dashboard, name="project_dashboard"),
    path("projects/<slug:slug>/jobs/", views.project_jobs, name="project_jobs"),
    path("projects/<slug:slug>/members/", views.project_members, name="project_members"),
    path("projects/<slug:slug>/import/", views.search_import, name="search_import"),
    path("projects/<slug:slug>/searches/", views.search_list, name="search_list"),
    path("projects/<slug:slug>/duplicates/", views.duplicate_review, name="duplicate_review"),
    path("projects/<slug:slug>/pilot/", views.project_pilot, name="project_pilot"),
    path("projects/<slug:slug>/history/", views.project_history, name="project_history"),
    path("jobs/<int:job_id>/", views.job_status, name="job_status"),
]
