"""Fixtures of the typeflow-flyteidl tests (run in the ``flyteidl`` / ``flyteidl113`` tox envs)."""

from __future__ import annotations

from hypothesis import settings

# the machine is shared: time is measured by benchmarks, never by deadlines
settings.register_profile("flyteidl", deadline=None)
settings.load_profile("flyteidl")

import flytekit  # noqa: E402

from ..integration.conftest import moto_endpoint, s3_url  # noqa: E402, F401  (the real S3 server fixtures)

# compared with flytekit 1.16's pydantic and protobuf transformers only: flytekit 1.13 (the flyteidl113
# env, which installs neither typeflow plugin) has no pydantic v2 transformer. Not collected there
# rather than skipped, so no skip stands for a check.
collect_ignore = [] if flytekit.__version__.startswith("1.16.") else ["test_pydantic_protobuf.py"]
