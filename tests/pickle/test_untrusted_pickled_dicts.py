"""flytekit's pickle-dict form ({"pickle_file": uri}) named by someone else's literal is never unpickled."""

from pathlib import Path

import pytest

from typeflow import TypeEngine
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import Literal, Scalar

from .samples import Tripwire
from .test_untrusted import FORMS, _foreign_uri


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "ran"


@pytest.fixture
def payload(marker: Path) -> bytes:
    import cloudpickle

    return cloudpickle.dumps(Tripwire(marker))


def pickled_dict_literal(uri: object) -> Literal:
    return Literal(scalar=Scalar(generic={"pickle_file": uri}), metadata={"format": "pickle"})


@pytest.mark.parametrize("form", FORMS)
def test_an_unsigned_pickled_dict_outside_storage_is_never_unpickled(
    storage: Path,
    tmp_path: Path,
    payload: bytes,
    marker: Path,
    form: str,
) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    uri = _foreign_uri(form, storage, tmp_path, payload)
    with pytest.raises(StorageError, match="refused to read"):
        ctx.engine.to_python_value(ctx, pickled_dict_literal(uri), dict)
    assert not marker.exists(), f"a pickle at {uri} was unpickled"


@pytest.mark.parametrize("bad", [None, 3, "", ["a"]])
def test_a_pickled_dict_literal_without_a_uri_string_is_a_typed_error(storage: Path, bad: object) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    with pytest.raises(TypeTransformerFailedError, match="pickle_file"):
        ctx.engine.to_python_value(ctx, pickled_dict_literal(bad), dict)
