class Shared:
    pass


class OnlyA:
    pass
