"""Fixtures of the typeflow-flyteidl tests (run in the ``flyteidl`` / ``flyteidl113`` tox envs)."""

from __future__ import annotations

from hypothesis import settings

# the machine is shared: time is measured by benchmarks, never by deadlines
settings.register_profile("flyteidl", deadline=None)
settings.load_profile("flyteidl")

from ..integration.conftest import moto_endpoint, s3_url  # noqa: E402, F401  (the real S3 server fixtures)
