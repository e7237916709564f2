"""Pages, one module per concern. Each view: parse a form, authorise with one helper, call a
service or selector, render."""
