class Gadget:
    pass
