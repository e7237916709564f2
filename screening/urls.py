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
    path("projects/<slug:slug>/blinding/", views.project_blinding, name="project_blinding"),
    path("projects/<slug:slug>/screen/", views.screen, name="screen"),
    path("projects/<slug:slug>/screen/team/", views.screen_team, name="screen_team"),
    path("projects/<slug:slug>/references/", views.reference_list, name="reference_list"),
    path(
        "projects/<slug:slug>/screen/<int:reference_id>/vote/",
        views.screen_vote,
        name="screen_vote",
    ),
    path(
        "projects/<slug:slug>/references/<int:reference_id>/report.pdf",
        views.report_file,
        name="report_file",
    ),
    path("projects/<slug:slug>/full-texts/", views.full_text_queue, name="full_text_queue"),
    path("projects/<slug:slug>/reasons/", views.exclusion_reasons, name="exclusion_reasons"),
    path("projects/<slug:slug>/conflicts/", views.conflict_list, name="conflict_list"),
    path("projects/<slug:slug>/settings/", views.project_settings, name="project_settings"),
    path("projects/<slug:slug>/exports/", views.project_exports, name="project_exports"),
    path("projects/<slug:slug>/report/", views.project_report, name="project_report"),
    path(
        "projects/<slug:slug>/downloads/<str:name>",
        views.project_download,
        name="project_download",
    ),
    path("projects/<slug:slug>/history/", views.project_history, name="project_history"),
    path("jobs/<int:job_id>/", views.job_status, name="job_status"),
]
