"""A user's package of generated protobuf messages, outside ``google``: typeflow must find the plugin for it."""
