"""A flytekit plugin with no typeflow entry point."""
