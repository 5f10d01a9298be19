"""A realistic national registry of models and exemplars, bulk-loaded, for benchmarks.

The models are spread unevenly over the provinces, communes and residential areas of the
generated organisation tree (``demo.synthetic.tree``), over the four fields, kinds and actors,
start years 2016–2026 and the whole workflow, with themes, territories, "replicated from" links,
result reports with indicator values and the workflow events that lead to each status.

Everything goes in with PostgreSQL ``COPY`` in one transaction: a million models take minutes,
where the ORM would take hours. Rows are written year by year in the order they would have been
registered, so primary keys grow with time as in a real table.
"""

from demo.synthetic.loading import (
    delete_synthetic_models,
    generate_models,
    synthetic_models,
    vacuum_registry,
)
from demo.synthetic.rows import GeneratedRegistry
from demo.synthetic.workflow import AS_OF

__all__ = [
    "AS_OF",
    "GeneratedRegistry",
    "delete_synthetic_models",
    "generate_models",
    "synthetic_models",
    "vacuum_registry",
]
