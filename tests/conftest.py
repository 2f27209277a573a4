import pytest


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Every test runs in its own empty folder, with no workspace from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IPSKIT_WORKSPACE", raising=False)
    monkeypatch.delenv("IPSKIT_DEBUG", raising=False)


# --- the hostile-input suite ---------------------------------------------------------------
#
# Tests marked ``hostile`` are the cases an attacker or an unlucky user tries (hostile
# names, YAML and templates, kills, full and read-only disks...). The run ends with a
# count of what was tried and what held, so the suite says how much it covers.

_hostile: dict[str, int] = {"tried": 0, "held": 0}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "hostile: a case of the hostile-input suite (counted at the end of the run)"
    )


def pytest_runtest_logreport(report):
    if report.when == "call" and "hostile" in report.keywords:
        _hostile["tried"] += 1
        _hostile["held"] += report.passed


def pytest_terminal_summary(terminalreporter):
    if _hostile["tried"]:
        terminalreporter.write_line(
            f"hostile-input suite: {_hostile['tried']} cases tried, {_hostile['held']} held"
        )
