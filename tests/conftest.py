"""Suite-wide fixtures."""
from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True)
def _keep_main_module():
    """streamlit's AppTest leaves app.py installed as sys.modules["__main__"]; worker processes
    started later (forkserver/spawn) would import it again and run the Streamlit script instead of
    their task. Each test gets back the __main__ it started with."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
