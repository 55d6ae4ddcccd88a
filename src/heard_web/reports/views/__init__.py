"""Pages of the reports app: exports (the report and tables, made in the background)."""
