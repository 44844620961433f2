class Own:
    """A class of the plugin's own package."""

    def __init__(self, text: str = "") -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Own) and other.text == self.text


class Special(Own):
    """Matched by the `narrow` predicate, like any class named Special."""
