"""heard's web application: a shared, self-hosted workspace for teams (Django).

The library (``heard``) never imports this package; this package calls the library
only from each app's ``services`` module (a package in some apps). See README.md in this folder for the layout.
"""
