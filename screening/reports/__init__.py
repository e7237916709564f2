"""Reports: what a review hands over, rendered from counts and facts derived elsewhere.

Pure: no Django, no database. The selectors compute the figures; the modules here only lay them
out, one per concern: the PRISMA 2020 flow counts as the PRISMA2020 R package's CSV
(`prisma_csv`, filling the rows of `prisma_template`), as an SVG diagram (`prisma_svg`, drawn
from the layout description in `prisma_layout` with `svg_boxes` and `svg_text`), and as
downloads in any of those formats or JSON (`prisma_downloads`). The reference exports (RIS, BibTeX, CSV, spreadsheets)
belong here too.
"""
