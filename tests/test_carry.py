"""The thread head (`proxy/carry.py`): its training conversations, its features and its decision."""

import json
from pathlib import Path

import numpy as np
import pytest

from proxy import paths
from proxy.carry import FEATURES, Conversation, carries, context_texts, features, read_conversations
from proxy.engine import Engine
from proxy.models import conversation_files
from proxy.nlp.corpus import CorpusError, Example
from proxy.nlp.model import Linear
from proxy.rules.loader import RuleSet

ROW = {
    "id": "c-1",
    "site": "mercadolivre.com.br",
    "lang": "pt",
    "locale": "pt-BR",
    "thread": [
        {"author": "buyer", "text": "quero trocar a camiseta"},
        {"author": "seller", "text": "Qual tamanho?"},
    ],
    "text": "G por favor",
    "intents": ["return_exchange"],
    "negative": False,
    "kind": "continues",
}


def write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "conversations.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", "utf-8")
    return path


def test_a_conversation_is_read_whole(tmp_path: Path, rules: RuleSet) -> None:
    got = list(read_conversations(write(tmp_path, ROW, ""), list(rules.intents)))
    example = Example("G por favor", "pt", ("return_exchange",), False, "pt-BR", "mercadolivre.com.br", "c-1")
    thread = (("buyer", "quero trocar a camiseta"), ("seller", "Qual tamanho?"))
    assert got == [Conversation(example, thread, "continues")]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{not json", "each line needs text, lang, intents, negative, kind and thread"),
        (
            ROW | {"thread": [{"text": "oi"}]},
            "each line needs text, lang, intents, negative, kind and thread",
        ),
        ({k: v for k, v in ROW.items() if k != "kind"}, "each line needs text, lang, intents"),
        (ROW | {"intents": ["trocar"]}, "intents must be one or two of the taxonomy's ids, not ['trocar']"),
        (ROW | {"intents": []}, "intents must be one or two of the taxonomy's ids, not []"),
        (ROW | {"kind": "maybe"}, "kind is continues or new, each author buyer or seller"),
        (ROW | {"thread": [{"author": "bot", "text": "oi"}]}, "kind is continues or new, each author buyer"),
        (ROW | {"thread": [{"author": "seller", "text": "oi"}]}, "at least one earlier message of the buyer"),
    ],
)
def test_a_bad_conversation_line_is_named(tmp_path: Path, rules: RuleSet, line: object, says: str) -> None:
    path = write(tmp_path, ROW, line)
    with pytest.raises(CorpusError) as err:
        list(read_conversations(path, list(rules.intents)))
    assert str(err.value).startswith(f"{path}:2: ") and says in str(err.value)


def test_the_head_learns_from_the_looked_at_conversation_sets_only() -> None:
    """The three conversation sets that judged earlier changes, byte for byte; never a set still to judge
    one (`eval/threads4/` judged the head itself; `eval/threads5/` is in reserve)."""
    names = [p.stem for p in conversation_files()]
    assert names == ["threads", "threads2", "threads3"]
    for path in conversation_files():
        assert path.read_bytes() == (paths.REPO / "eval" / path.stem / path.name).read_bytes()


def test_the_shipped_model_has_a_head_over_every_feature(engine: Engine, rules: RuleSet) -> None:
    head = engine.model.carry
    assert head is not None and head.weights.shape == (len(FEATURES), 1) and head.bias.shape == (1,)
    thread = [
        ("buyer", "quero trocar a camiseta, ficou pequena"),
        ("seller", "Claro! Qual tamanho você quer?"),
    ]
    read = engine.read(["G por favor"], ["mercadolivre.com.br"], [None], [thread])[0]
    assert read.context is not None
    joined, last = read.context
    assert [joined.text.clean, last.text.clean] == [
        "quero trocar a camiseta, ficou pequena\nG por favor",
        "quero trocar a camiseta, ficou pequena",
    ]
    x = features(read.reading, joined, last, thread, lambda topic: topic == "return_exchange")
    assert joined.main == "return_exchange" and x[FEATURES.index("the joined topic is an open case")] == 1
    assert len(x) == len(FEATURES) and x[FEATURES.index("answers the seller's question")] == 1
    assert x[FEATURES.index("the seller asked last")] == 1 and x[FEATURES.index("asks (?)")] == 0
    assert carries(head, x)  # and so the answer takes the exchange (tests/test_thread.py)


def test_the_thread_adds_two_readings_only_when_the_buyer_wrote_earlier(engine: Engine) -> None:
    seller_only = [("seller", "Hola, ¿en qué te ayudo?")]
    assert context_texts("y en talla M?", seller_only) == [] == context_texts("y en talla M?", [])
    thread = [("buyer", "uno"), ("seller", "¿?"), ("buyer", "dos"), ("buyer", "tres"), ("buyer", "cuatro")]
    assert context_texts("cinco", thread) == ["dos\ntres\ncuatro\ncinco", "cuatro"]  # the last three
    reads = engine.read(["y en talla M?"] * 3, [None] * 3, [None] * 3, [[], seller_only, thread])
    assert [r.context is None for r in reads] == [True, True, False]
    assert reads[0].reading == reads[1].reading == reads[2].reading == engine.recognise("y en talla M?")


def test_the_decision_is_the_logistic_regression_s_half_way_point() -> None:
    head = Linear(np.array([[2.0], [-1.0]], np.float32), np.array([-0.5], np.float32))
    assert carries(head, [0.25, 0.0]) and carries(head, [1.0, 1.0])  # 0.0 and 0.5: the joined reading
    assert not carries(head, [0.0, 0.0]) and not carries(head, [0.5, 1.0])
