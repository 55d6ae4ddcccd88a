"""Pages of the analysis app, one module per resource: runs, themes."""
