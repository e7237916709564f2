"""Writers for the formats the app exports: `Citation`s in, text out, one module per format.

The other half of `screening.importers`: each writer's output reads back through that format's
reader. The tables both sides share (RIS type names, the CSV template's columns) stay with the
reader, and the writers import them. Nothing here touches Django, the network or the disk.
"""
