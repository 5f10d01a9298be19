"""The review stages are the reports' raw material: reuse their fixtures."""

from tests.reviews.conftest import (  # noqa: F401
    accepted_model,
    draft_round,
    proposed_model,
    published_round,
    recognised_model,
    submitted_model,
)
