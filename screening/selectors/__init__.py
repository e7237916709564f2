"""Reads that span relations: what pages and endpoints show, one module per concern. Selectors
read; they import no services.

- blinding: what a member is shown of the screening, for lists to filter on
- conflicts: conflicts for leads to resolve, and the votes agreement is computed from
- duplicates: the duplicate sets a person reviews, fields side by side with their sources
- held_decisions: the decisions references hold, read for deduplication
- history: a project's audit events, as a member may see them
- prisma_counts: the PRISMA 2020 flow diagram's counts, derived from the project's rows
- progress: how far the project and each member have got
- projects: a project's members and jobs, and the jobs a person may see
- queue: the reviewer's queue, the reference to screen next, and claims
- references: finding references, and the project's exclusion reasons
- status_counts: references per stage and status over a project, in one query
- statuses: a reference's stage and status, derived from its votes, resolutions and report
"""
