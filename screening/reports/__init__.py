"""Reports: what a review hands over, rendered from counts and facts derived elsewhere.

The selectors compute the figures; the modules here only lay them out, one per concern: the
PRISMA 2020 flow counts as the PRISMA2020 R package's CSV (`prisma_csv`, filling the rows of
`prisma_template`), as an SVG diagram (`prisma_svg`, drawn from the layout description in
`prisma_layout` with `svg_boxes` and `svg_text`), and as downloads in any of those formats or
JSON (`prisma_downloads`); the references and the history as RIS, BibTeX, CSV and Excel
(`reference_exports`), their cells written safely for spreadsheets (`spreadsheet`).

All but `reference_exports` are pure (no Django, no database); that one reads the model rows it
is handed, their relations prefetched by the selectors.
"""
