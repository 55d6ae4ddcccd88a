"""Views of the stories app, one module per resource (stories, imports)."""
