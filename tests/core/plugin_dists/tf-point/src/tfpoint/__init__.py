class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


class Point3(Point):
    """A subclass: resolved through the MRO to Point's transformer."""


class Label(str):
    """A str subclass this plugin claims: it must win over the built-in str transformer."""
