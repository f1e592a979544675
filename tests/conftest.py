"""Shared fixtures: the real rules, the real trained model, the real app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from proxy import paths
from proxy.engine import Engine, build_engine
from proxy.models import ensure_model, training_examples
from proxy.nlp.embed import Embedder
from proxy.rules.loader import RuleSet, load_rules

SHARED = paths.REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the whole run. The shipped model is trained once, from the repo corpus, into the
    installation's built models (`paths.built_models_dir()`; `make test` has run `python -m
    proxy.build_model` already, a bare `pytest` builds it here), and copied from there into this cache: so
    a `responde classify` or `serve` after the tests finds it under any RESPONDE_HOME instead of training
    for minutes (`test_cli::test_classify_after_the_tests_uses_the_built_model`)."""
    rules = load_rules(paths.RULES_DIR)
    ensure_model(training_examples(rules, paths.CORPUS_DIR), rules, paths.built_models_dir())
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules(paths.RULES_DIR)


OPEN_HOURS = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # a Wednesday, noon on the store's clock
# A seller-center site per reply locale (Mercado Libre's 350-character limit where it applies)
LOCALE_SITES = {
    "es-MX": "mercadolibre.com.mx",
    "es-AR": "mercadolibre.com.ar",
    "es-CO": "mercadolibre.com.co",
    "es-CL": "mercadolibre.cl",
    "es-ES": "amazon.es",
    "pt-BR": "mercadolivre.com.br",
    "en-US": "amazon.com",
}


@pytest.fixture(scope="session")
def engine(models_dir: Path) -> Engine:
    """The real engine, its clock pinned inside opening hours so replies do not depend on the hour, and its
    sentence encoder loaded, as a server's is a second after it starts: otherwise the cascade's second stage
    ran only in the tests after the first one that loaded it, and a reading depended on the tests' order."""
    built = build_engine(paths.RULES_DIR, paths.CORPUS_DIR, models_dir, Embedder().load())
    built.clock = lambda: OPEN_HOURS
    return built


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands speak the agent's language (LANG); tests read their English, whatever the machine's."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private RESPONDE_HOME for one test."""
    monkeypatch.setenv("RESPONDE_HOME", str(tmp_path / "home"))
    yield tmp_path / "home"
    os.environ.pop("RESPONDE_HOME", None)
