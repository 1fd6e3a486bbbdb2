"""Options of the reliability suite: ``--long`` runs the long variants (or set
``ROSTGUIDEN_SOAK_TURNS`` to the soak's number of turns)."""

from __future__ import annotations

import os

import pytest

#: Turns of the soak in CI, and with ``--long``.
CI_SOAK_TURNS = 300
LONG_SOAK_TURNS = 50_000


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help=f"reliability: long variants (soak of {LONG_SOAK_TURNS} turns)",
    )


@pytest.fixture(scope="session")
def soak_turns(request: pytest.FixtureRequest) -> int:
    """Turns of the soak: ``ROSTGUIDEN_SOAK_TURNS``, else the long or the CI number."""
    env = os.environ.get("ROSTGUIDEN_SOAK_TURNS", "").strip()
    if env:
        return max(1, int(env))
    return LONG_SOAK_TURNS if request.config.getoption("--long") else CI_SOAK_TURNS
