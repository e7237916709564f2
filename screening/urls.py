from django.urls import path

from .views import (
    conflicts,
    duplicates,
    fulltext,
    history,
    imports,
    projects,
    reasons,
    references,
    reports,
    screening,
)

urlpatterns = [
    path("", projects.home, name="home"),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/<slug:slug>/", projects.project_dashboard, name="project_dashboard"),
    path("projects/<slug:slug>/jobs/", projects.project_jobs, name="project_jobs"),
    path("projects/<slug:slug>/members/", projects.project_members, name="project_members"),
    path("projects/<slug:slug>/import/", imports.search_import, name="search_import"),
    path("projects/<slug:slug>/searches/", imports.search_list, name="search_list"),
    path("projects/<slug:slug>/duplicates/", duplicates.duplicate_review, name="duplicate_review"),
    path("projects/<slug:slug>/pilot/", projects.project_pilot, name="project_pilot"),
    path("projects/<slug:slug>/blinding/", projects.project_blinding, name="project_blinding"),
    path("projects/<slug:slug>/ranking/", projects.project_ranking, name="project_ranking"),
    path("projects/<slug:slug>/screen/", screening.screen, name="screen"),
    path("projects/<slug:slug>/screen/team/", screening.screen_team, name="screen_team"),
    path("projects/<slug:slug>/references/", references.reference_list, name="reference_list"),
    path(
        "projects/<slug:slug>/screen/<int:reference_id>/vote/",
        screening.screen_vote,
        name="screen_vote",
    ),
    path(
        "projects/<slug:slug>/references/<int:reference_id>/report.pdf",
        fulltext.report_file,
        name="report_file",
    ),
    path("projects/<slug:slug>/full-texts/", fulltext.full_text_queue, name="full_text_queue"),
    path("projects/<slug:slug>/reasons/", reasons.exclusion_reasons, name="exclusion_reasons"),
    path("projects/<slug:slug>/conflicts/", conflicts.conflict_list, name="conflict_list"),
    path("projects/<slug:slug>/settings/", projects.project_settings, name="project_settings"),
    path("projects/<slug:slug>/exports/", reports.project_exports, name="project_exports"),
    path("projects/<slug:slug>/report/", reports.project_report, name="project_report"),
    path(
        "projects/<slug:slug>/downloads/<str:name>",
        reports.project_download,
        name="project_download",
    ),
    path("projects/<slug:slug>/history/", history.project_history, name="project_history"),
    path("jobs/<int:job_id>/", imports.job_status, name="job_status"),
]
