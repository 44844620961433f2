"""``typeflow inspect`` of files that hold ``HEX:`` and a wire file's bytes in hex."""

from typeflow import wire
from typeflow.cli.inspect import Reader

READER = Reader("tfhex", lambda head: head.startswith(b"HEX:"), lambda data: wire.loads(bytes.fromhex(data[4:].decode())))
NOT_A_READER = "a string"
