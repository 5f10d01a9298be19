"""What the reviews app adds to the registry's model page and to the home page (core.hooks).

Each module registers its panels when imported; the app imports them when it is ready.
"""

from reviews.panels import review, rounds  # noqa: F401
