"""What flytekit would import; typeflow must never import it."""

raise RuntimeError("typeflow imported a flytekit plugin")
