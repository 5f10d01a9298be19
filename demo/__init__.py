"""Demo and synthetic data: ``manage.py load_demo`` and ``manage.py generate_data``.

Imported by no app: it stands on the apps, never the reverse.
"""
