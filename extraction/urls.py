from django.urls import path

from . import views

urlpatterns = [
    path("projects/<slug:slug>/extraction/", views.study_list, name="extraction_studies"),
    path("projects/<slug:slug>/extraction/codebook/", views.codebook, name="extraction_codebook"),
    path("projects/<slug:slug>/extraction/summary/", views.summary, name="extraction_summary"),
    path(
        "projects/<slug:slug>/extraction/progress/",
        views.progress_panel,
        name="extraction_progress",
    ),
    path("projects/<slug:slug>/extraction/next/", views.next_study, name="extraction_next"),
    path("projects/<slug:slug>/extraction/<int:reference_id>/", views.extract, name="extract"),
    path(
        "projects/<slug:slug>/extraction/<int:reference_id>/consensus/",
        views.consensus,
        name="extraction_consensus",
    ),
]
