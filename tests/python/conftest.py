import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("CK_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SHARED_DATA = SOURCE_DIR.parent / "shared" / "data"


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def sample_path():
    return SOURCE_DIR / "examples" / "data" / "complaints.jsonl"
