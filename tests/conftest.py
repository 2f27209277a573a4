import pytest


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Every test runs in its own empty folder, with no workspace from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IPSKIT_WORKSPACE", raising=False)
    monkeypatch.delenv("IPSKIT_DEBUG", raising=False)
