"""A test distribution that provides only a ``typeflow inspect`` reader and a flytekit plugin."""
