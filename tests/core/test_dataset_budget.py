"""Parquet files from literals, checked before any decoder runs: footer, page headers, declared columns, budget, folders.

Tested in the core env, where no parquet library is installed: the files are
hand-made (``tests/parquet_forge.py``) and the decoder is a small one that
records that it ran, so a refusal is shown to come before decoding.
"""

from __future__ import annotations

import base64
import io
import os
import struct
from pathlib import Path
from typing import IO, Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from typeflow import TransformContext, TypeEngine, wire
from typeflow.datasets import Columns, DatasetTransformer, StructuredDataset, codecs_for, current_read, measures_expansion
from typeflow.datasets.folders import dataset_files
from typeflow.datasets.footer import read_footer
from typeflow.datasets.pages import walk_pages
from typeflow.errors import ReadBudgetError, StorageError, TypeTransformerFailedError
from typeflow.literals import (
    DatasetColumn,
    LiteralType,
    SimpleType,
)

from ..parquet_forge import INT64, ForgedColumn, dataset_literal, forge, forge_int_run, forge_string_run, in_storage


class Frame:
    """What the test decoder returns: the file's size and the columns asked for."""

    def __init__(self, size: int, columns: list[str] | None) -> None:
        self.size = size
        self.columns = columns or []


class Decoder:
    """A parquet 'decoder' that reads the file's bytes and records every call; optionally measures strings."""

    def __init__(self, measured: dict[str, int] | None = None) -> None:
        self.calls: list[Any] = []
        self.measured = measured

    def __call__(self, source: str | IO[bytes], columns: list[str] | None) -> Frame:
        read = current_read()
        if self.measured is not None and read is not None:
            for name in read.unmeasured():
                read.measured(name, self.measured[name])
        data = Path(source).read_bytes() if isinstance(source, str) else source.read()
        self.calls.append(source)
        return Frame(len(data), columns)


@pytest.fixture
def decoder() -> Decoder:
    return Decoder()


def engine_with(decoder: Any) -> TypeEngine:
    engine = TypeEngine()
    codecs_for(engine).register_decoder(Frame, "parquet", decoder)
    codecs_for(engine).provide_combiner(Frame, lambda frames: Frame(sum(f.size for f in frames), frames[0].columns))
    engine.register(DatasetTransformer(Frame))
    return engine


def context(decoder: Any, storage: Path, **options: Any) -> TransformContext:
    return engine_with(decoder).context(storage=str(storage), **options)


def footer_of(data: bytes) -> Any:
    return read_footer(io.BytesIO(data), "mem")


INT = LiteralType(simple=SimpleType.INTEGER)
STR = LiteralType(simple=SimpleType.STRING)


# ---------------------------------------------------------------------------- the footer


def test_a_footer_gives_the_files_columns_rows_and_decoded_size() -> None:
    footer = footer_of(forge_int_run(1000))
    assert footer.names == ["a"] and footer.num_rows == 1000
    assert footer.columns[0].kinds == {SimpleType.INTEGER, SimpleType.DURATION}  # a plain int64 may be an Arrow duration
    [size] = footer.estimate(["a"])
    assert size.decoded >= 8 * 1000 and size.expandable == 0
    strings = footer_of(forge_string_run(10, b"abc"))
    assert strings.columns[0].kinds == {SimpleType.STRING}
    [size] = strings.estimate(["s"])
    assert size.dictionary > 0 and size.flat


def test_the_estimate_counts_only_the_columns_read() -> None:
    data = forge(
        [ForgedColumn("a", INT64, struct.pack("<q", 0), 1, 10**6), ForgedColumn("b", INT64, struct.pack("<q", 0), 1, 10**6)]
    )
    footer = footer_of(data)
    both = sum(s.decoded for s in footer.estimate(["a", "b"]))
    one = sum(s.decoded for s in footer.estimate(["a"]))
    assert one >= 8 * 10**6 and both >= 2 * one - 1000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a parquet file"),
        (b"PAR1" + b"\x00" * 20, "does not end with PAR1"),
        (b"PAR1" + b"\x00" * 4 + struct.pack("<I", 10**6) + b"PAR1", "footer claims 1000000 bytes"),
        (b"PAR1" + b"\xff" * 8 + struct.pack("<I", 8) + b"PAR1", "corrupt parquet footer"),
        (b"PAR1" + b"\x00" * 8 + struct.pack("<I", 8) + b"PARE", "encrypted"),
    ],
)
def test_a_file_that_is_not_parquet_is_a_storage_error(data: bytes, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        footer_of(data)


def test_a_footer_whose_lists_claim_more_than_its_bytes_is_refused_without_allocating() -> None:
    # FileMetaData.schema: a list header claiming 2**40 elements in a 16-byte footer
    body = b"\x19\xf8" + b"\x80\x80\x80\x80\x80\x80\x80\x80\x01" + b"\x00" * 5
    data = b"PAR1" + body + struct.pack("<I", len(body)) + b"PAR1"
    with pytest.raises(StorageError, match=r"claims \d+ elements, more than bytes remain"):
        footer_of(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(0, 399))
def test_any_footer_bytes_give_a_footer_or_a_storage_error(body: bytes, cut: int) -> None:
    real = forge_int_run(5)
    length = struct.unpack("<I", real[-8:-4])[0]
    footer = bytearray(real[-8 - length : -8])
    footer[cut % len(footer) :] = body  # a real footer's head, then anything
    data = real[: -8 - length] + bytes(footer) + struct.pack("<I", len(footer)) + b"PAR1"
    try:
        parsed = read_footer(io.BytesIO(data), "mem")
        walk_pages(io.BytesIO(data), parsed, parsed.names, "mem")
    except StorageError:
        pass


def test_column_data_kept_in_another_file_is_refused() -> None:
    data = forge([ForgedColumn("a", INT64, struct.pack("<q", 0), 1, 3, file_path="/etc/passwd")])
    with pytest.raises(StorageError, match="column data lies in another file"):
        footer_of(data)


# ---------------------------------------------------------------------------- the budget, before decoding


def test_a_few_hundred_bytes_that_decode_to_gigabytes_are_refused_before_the_decoder_runs(
    tmp_path: Path, decoder: Decoder
) -> None:
    data = forge_int_run(150_000_000)
    assert len(data) < 300
    path = in_storage(tmp_path, data)
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(ReadBudgetError, match=r"read budget of 1073741824 bytes.*read_budget=N.*TYPEFLOW_READ_BUDGET") as info:
        ctx.engine.to_python_value(ctx, dataset_literal(str(path)), Frame)
    assert info.value.needed is not None and info.value.needed >= 8 * 150_000_000
    assert info.value.budget == 2**30 and str(path) in str(info.value)
    assert decoder.calls == []
    raised = context(decoder, tmp_path / "storage", read_budget="2GiB")
    assert raised.engine.to_python_value(raised, dataset_literal(str(path)), Frame).size == len(data)
    assert len(decoder.calls) == 1


def test_a_small_blob_may_not_expand_past_the_floor_a_thousandfold_under_the_default_budget(
    tmp_path: Path, decoder: Decoder
) -> None:
    data = forge_int_run(90_000_000)  # 720 MB of zeros: within the 1 GiB budget, from under 300 bytes
    assert len(data) < 300
    path = in_storage(tmp_path, data)
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(ReadBudgetError, match=r"from \d+ stored bytes, more than 1000 times.*read_expansion=M") as info:
        ctx.engine.to_python_value(ctx, dataset_literal(str(path)), Frame)
    assert info.value.needed is not None and info.value.needed >= 8 * 90_000_000
    assert decoder.calls == []
    for trusting in ({"read_budget": "1GiB"}, {"read_expansion": 0}, {"read_expansion": "10000000"}):
        trusted = context(decoder, tmp_path / "storage", **trusting)
        assert trusted.engine.to_python_value(trusted, dataset_literal(str(path)), Frame).size == len(data)
    assert len(decoder.calls) == 3


def test_decoded_sizes_under_the_expansion_floor_are_never_refused_for_their_ratio(tmp_path: Path, decoder: Decoder) -> None:
    data = forge_int_run(5_000_000)  # 40 MB from a few hundred bytes
    ctx = context(decoder, tmp_path / "storage")
    assert ctx.engine.to_python_value(ctx, dataset_literal(str(in_storage(tmp_path, data))), Frame).size == len(data)


def test_an_invalid_expansion_factor_is_a_storage_error_naming_the_setting(tmp_path: Path, decoder: Decoder) -> None:
    ctx = context(decoder, tmp_path / "storage", read_expansion="lots")
    with pytest.raises(StorageError, match="read_expansion setting is invalid"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(in_storage(tmp_path, forge_int_run(10)))), Frame)


def test_the_budget_counts_only_the_declared_columns(tmp_path: Path, decoder: Decoder) -> None:
    wide = forge(
        [ForgedColumn("a", INT64, struct.pack("<q", 0), 1, 10**8), ForgedColumn("b", INT64, struct.pack("<q", 0), 1, 10**8)]
    )
    path = in_storage(tmp_path, wide)
    ctx = context(decoder, tmp_path / "storage", read_budget="1GB")
    with pytest.raises(ReadBudgetError):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path)), Frame)
    one = ctx.engine.to_python_value(
        ctx, dataset_literal(str(path), (DatasetColumn("a", INT),)), Annotated[Frame, Columns(a=int)]
    )
    assert one.columns == ["a"]


@pytest.mark.parametrize(
    "lie",
    [
        {"footer_num_values": 1, "footer_rows": 1},
        {"footer_uncompressed": 1},
        {"footer_num_values": 1, "footer_rows": 1, "footer_uncompressed": 1, "footer_encodings": [0]},
    ],
    ids=["row-count", "uncompressed-size", "everything"],
)
def test_a_footer_that_understates_its_pages_is_judged_by_the_pages(
    tmp_path: Path, decoder: Decoder, lie: dict[str, Any]
) -> None:
    data = forge_int_run(150_000_000, **lie)
    footer = footer_of(data)
    claimed = sum(s.decoded for s in footer.estimate(footer.names))
    walked = footer.estimate(footer.names, walk_pages(io.BytesIO(data), footer, footer.names, "mem"))
    assert sum(s.decoded for s in walked) >= 8 * 150_000_000
    if "footer_rows" in lie:
        assert claimed < 1000  # only the pages tell
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(ReadBudgetError):
        ctx.engine.to_python_value(ctx, dataset_literal(str(in_storage(tmp_path, data))), Frame)
    assert decoder.calls == []


def test_a_dictionary_page_the_footer_hides_is_found_in_the_pages() -> None:
    data = forge_string_run(1500, b"x" * 2**20, footer_encodings=[0, 3], footer_uncompressed=10)
    footer = footer_of(data)
    assert footer.estimate(["s"])[0].dictionary < 2**20  # what the footer alone claims
    [size] = footer.estimate(["s"], walk_pages(io.BytesIO(data), footer, ["s"], "mem"))
    assert size.dictionary >= 1500 * 2**20


def test_a_decoder_that_does_not_measure_strings_is_charged_their_longest(tmp_path: Path, decoder: Decoder) -> None:
    data = forge_string_run(1500, b"x" * 2**20)
    assert len(data) < 2000
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(ReadBudgetError, match="dictionary-encoded strings"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(in_storage(tmp_path, data))), Frame)
    assert decoder.calls == []


def test_a_measuring_decoder_is_charged_what_it_measured(tmp_path: Path) -> None:
    path = in_storage(tmp_path, forge_string_run(1500, b"x" * 2**20))
    over = measures_expansion(Decoder(measured={"s": 1500 * 2**20}))
    ctx = context(over, tmp_path / "storage")
    with pytest.raises(ReadBudgetError, match=r"strings of column 's' \(measured\)"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path)), Frame)
    assert over.calls == []
    short = measures_expansion(Decoder(measured={"s": 1500}))  # the same layout with short strings fits
    ctx = context(short, tmp_path / "storage")
    assert ctx.engine.to_python_value(ctx, dataset_literal(str(path)), Frame).size == path.stat().st_size


def test_small_strings_need_no_measuring(tmp_path: Path) -> None:
    path = in_storage(tmp_path, forge_string_run(100, b"abc"))
    asked: list[list[str]] = []

    @measures_expansion
    def decode(source: str | IO[bytes], columns: list[str] | None) -> Frame:
        read = current_read()
        assert read is not None
        asked.append(read.unmeasured())
        return Frame(0, columns)

    ctx = context(decode, tmp_path / "storage")
    ctx.engine.to_python_value(ctx, dataset_literal(str(path)), Frame)
    assert asked == [[]]


def test_an_inline_data_parquet_in_a_wire_literal_is_refused_and_still_bounded_when_allowed(
    tmp_path: Path, decoder: Decoder
) -> None:
    uri = "data:;base64," + base64.b64encode(forge_int_run(150_000_000)).decode()
    raw = wire.dumps(dataset_literal(uri))
    assert len(raw) < 450  # as small as the attack it stands for
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(StorageError, match=r"refused to read.*'data:'"):
        ctx.engine.to_python_value(ctx, wire.loads(raw), Frame)
    listed = context(decoder, tmp_path / "storage", read_roots=["data:"])
    with pytest.raises(ReadBudgetError):
        listed.engine.to_python_value(listed, wire.loads(raw), Frame)
    assert decoder.calls == []


# ---------------------------------------------------------------------------- declared columns against the file


def test_declared_columns_are_checked_against_the_files_schema_not_the_literals_claim(tmp_path: Path, decoder: Decoder) -> None:
    path = in_storage(tmp_path, forge_int_run(3))  # column "a" holds int64
    claims = (DatasetColumn("a", STR),)  # the literal says "a" holds strings
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(TypeTransformerFailedError, match=r"declared column types differ \(a: declared STRING, stored"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path), claims), Annotated[Frame, Columns(a=str)])
    with pytest.raises(TypeTransformerFailedError, match=r"has no column\(s\) \['b'\]; it has \['a'\]"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path), (DatasetColumn("b", INT),)), Annotated[Frame, Columns(b=int)])
    assert decoder.calls == []
    assert ctx.engine.to_python_value(
        ctx, dataset_literal(str(path), (DatasetColumn("a", INT),)), Annotated[Frame, Columns(a=int)]
    )


def test_a_handle_checks_its_columns_against_the_file_when_opened(tmp_path: Path, decoder: Decoder) -> None:
    path = in_storage(tmp_path, forge_int_run(3))
    ctx = context(decoder, tmp_path / "storage")
    handle = ctx.engine.to_python_value(
        ctx, dataset_literal(str(path), (DatasetColumn("a", STR),)), Annotated[StructuredDataset, Columns(a=str)]
    )
    with pytest.raises(TypeTransformerFailedError, match="declared column types differ"):
        handle.open(Frame).all()
    assert decoder.calls == []


# ---------------------------------------------------------------------------- folders (flytekit's form)


def folder_with(tmp_path: Path, names: list[str], data: bytes | None = None) -> Path:
    folder = tmp_path / "storage" / "cd" / "dataset"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(data if data is not None else forge_int_run(4))
    return folder


def test_a_folder_is_read_as_its_files_in_name_order(tmp_path: Path, decoder: Decoder) -> None:
    folder = folder_with(tmp_path, ["00001", "00000", ".hidden", "_SUCCESS"])
    ctx = context(decoder, tmp_path / "storage")
    assert [Path(loc.path).name for loc in dataset_files(ctx, str(folder))] == ["00000", "00001"]
    frame = ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Frame)
    assert frame.size == 2 * len(forge_int_run(4))
    assert [Path(c).name for c in decoder.calls] == ["00000", "00001"]


def test_a_folder_is_never_scanned_recursively(tmp_path: Path, decoder: Decoder) -> None:
    folder = folder_with(tmp_path, ["00000"])
    (folder / "part=1").mkdir()
    (folder / "part=1" / "00000").write_bytes(forge_int_run(4))
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(StorageError, match=r"sub-folder \('part=1'\)"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Frame)
    assert decoder.calls == []


def test_a_folder_of_too_many_files_is_refused_with_the_setting_that_allows_it(tmp_path: Path, decoder: Decoder) -> None:
    folder = folder_with(tmp_path, [f"{i:05}" for i in range(6)])
    ctx = context(decoder, tmp_path / "storage", dataset_max_files=5)
    with pytest.raises(StorageError, match=r"more than 5 files.*dataset_max_files=N.*TYPEFLOW_DATASET_MAX_FILES"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Frame)
    allowed = context(decoder, tmp_path / "storage", dataset_max_files=6)
    assert allowed.engine.to_python_value(allowed, dataset_literal(str(folder)), Frame).size == 6 * len(forge_int_run(4))


def test_a_folder_is_one_dataset_for_the_budget(tmp_path: Path, decoder: Decoder) -> None:
    folder = folder_with(tmp_path, ["00000", "00001"], forge_int_run(80_000_000))  # 640 MB each, 1.28 GB together
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(ReadBudgetError, match="2 files"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Frame)
    assert decoder.calls == []


def test_a_folder_outside_storage_is_listed_only_under_a_read_root(tmp_path: Path, decoder: Decoder) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "00000").write_bytes(forge_int_run(4))
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(StorageError, match="refused to read") as info:
        ctx.engine.to_python_value(ctx, dataset_literal(str(outside)), Frame)
    # the reason is the listing a literal asks for, not the parquet content (which runs no code)
    assert "lists a local folder only inside the roots you allow" in str(info.value)
    assert "runs code" not in str(info.value) and str(outside.parent) in str(info.value)
    rooted = context(decoder, tmp_path / "storage", read_roots=[str(outside)])
    assert rooted.engine.to_python_value(rooted, dataset_literal(str(outside)), Frame).size == len(forge_int_run(4))


def test_a_link_in_a_folder_is_judged_by_its_target(tmp_path: Path, decoder: Decoder) -> None:
    secret = tmp_path / "secret" / "data.parquet"
    secret.parent.mkdir()
    secret.write_bytes(forge_int_run(4))
    folder = folder_with(tmp_path, [])
    os.symlink(secret, folder / "00000")
    ctx = context(decoder, tmp_path / "storage")
    files = dataset_files(ctx, str(folder))
    assert [loc.path for loc in files] == [str(secret.resolve())]  # checked (and opened) as the file it points at


def test_an_empty_folder_is_a_storage_error(tmp_path: Path, decoder: Decoder) -> None:
    folder = folder_with(tmp_path, ["_SUCCESS"])
    ctx = context(decoder, tmp_path / "storage")
    with pytest.raises(StorageError, match="holds no data files"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Frame)


def test_a_folder_of_several_files_needs_a_type_that_joins_them(tmp_path: Path, decoder: Decoder) -> None:
    folder = folder_with(tmp_path, ["00000", "00001"])
    engine = TypeEngine()
    codecs_for(engine).register_decoder(Frame, "parquet", decoder)
    engine.register(DatasetTransformer(Frame))
    ctx = engine.context(storage=str(tmp_path / "storage"))
    with pytest.raises(TypeTransformerFailedError, match="folder of 2 files, and nothing joins"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Frame)
