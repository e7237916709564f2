"""The use cases that write, one module per concern. Views, API endpoints and Celery tasks call
them; each is one transaction. Services import models, selectors and the pure core, never views,
api or tasks; background work starts through `jobs`.

- accounts: user accounts made by site staff, and the API tokens that stand for them
- audit: the audit trail, one row per change that matters
- bulk: many rows inserted at once (COPY on PostgreSQL)
- conflicts: a lead's resolution, and reopening a decided reference
- dedup: deduplication runs, inline or as a Job split into chunks
- fulltext: a reference's report kept, or marked not retrieved
- import_batches: an export read into the database batch by batch
- imports: a search's export imported, and records found by other methods
- jobs: the life of a Job, and the one entry point that starts background work
- merge_moves: what a merge moves, set-wise, and the survivors' summaries refreshed
- merges: a person's answers on a duplicate set, and merging every set above a score
- pilots: pilot rounds on a random sample, with the team's agreement
- projects: projects, their screening settings, members and roles, and blinding a stage
- ranking: the order a stage is screened in, and its ranking retrained from settled decisions
- reasons: the lead's exclusion reasons, and those reviewers propose on a vote
- screening: a reviewer's vote, and the checks every change to a reference shares
"""
