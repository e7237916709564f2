"""How a person's name is shown: one helper that the import and merge services share, kept
outside both so that neither imports the other for it. Pure."""

from __future__ import annotations


def author_display(author: dict[str, str]) -> str:
    """An author as stored on a record ({"family", "given", "printed"}), as a reference shows it."""
    if author.get("given"):
        return f"{author['family']}, {author['given']}"
    return author.get("family") or author.get("printed", "")
