class Future:
    pass
