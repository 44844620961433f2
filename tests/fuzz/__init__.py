"""Long-running fuzz tests (the ``fuzz`` tox env); TYPEFLOW_FUZZ_EXAMPLES sets how many inputs."""
