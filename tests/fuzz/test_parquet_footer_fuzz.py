"""Fuzzing typeflow's own parquet footer and page-header reader with damaged files.

Hand-made parquet files (``tests/parquet_forge.py``) with bytes flipped,
dropped or inserted anywhere: ``read_footer``, ``walk_pages`` and the estimate
must give an answer or a ``StorageError``, never another exception, and never
allocate more than a small multiple of the file. ``TYPEFLOW_FUZZ_EXAMPLES``
sets the number of inputs per test (default 300; the ``fuzz`` env uses 20,000).
"""

from __future__ import annotations

import io
import os
import struct
import tracemalloc

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from typeflow.datasets.footer import read_footer
from typeflow.datasets.pages import walk_pages
from typeflow.errors import StorageError

from ..parquet_forge import BYTE_ARRAY, INT64, ForgedColumn, forge

EXAMPLES = int(os.environ.get("TYPEFLOW_FUZZ_EXAMPLES", "300"))
SEED = int(os.environ.get("TYPEFLOW_FUZZ_SEED", "20240601"))
#: what inspecting a file of a few hundred bytes may allocate, whatever it holds
MAX_PEAK_BYTES = 4 * 2**20

SEEDS = [
    forge([ForgedColumn("a", INT64, struct.pack("<q", 7), 1, 1000)]),
    forge(
        [
            ForgedColumn("a", INT64, struct.pack("<q", 0), 1, 50),
            ForgedColumn("s", BYTE_ARRAY, struct.pack("<I", 3) + b"abc", 1, 50, string=True),
        ]
    ),
]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "drop", "insert"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "drop":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    if draw(st.booleans()) and len(data) >= 8:  # keep a plausible tail so the parser is reached
        data[-4:] = b"PAR1"
    return bytes(data)


@seed(SEED)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_a_damaged_parquet_file_gives_an_answer_or_a_storage_error_within_small_memory(data: bytes) -> None:
    tracemalloc.start()
    try:
        footer = read_footer(io.BytesIO(data), "fuzz")
        pages = walk_pages(io.BytesIO(data), footer, footer.names, "fuzz")
        footer.estimate(footer.names, pages)
        footer.data_columns()
    except StorageError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MAX_PEAK_BYTES, peak
