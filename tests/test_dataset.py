"""Labelled data round trips through JSON Lines, CSV and Rasa nlu.yml; bad files name file and place."""

from pathlib import Path

import pytest

from proxy.nlp import dataset
from proxy.nlp.corpus import CorpusError, Example

EXAMPLES = [
    Example("tem na cor lilás?", "pt", ("variant",), False, "pt-BR", "seller.shopee.com.br", "a1"),
    Example('cobrança "duplicada", e agora?', "pt", ("refund", "payment"), True, "pt-BR", None, "a2"),
    Example("where is my order", "en", ("order_status",), False, "en-US", None, "a3"),
]
KNOWN = {"variant", "refund", "payment", "order_status"}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_full_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    assert dataset.dump(EXAMPLES, path) == 3
    assert dataset.load(path, KNOWN) == EXAMPLES


def test_rasa_round_trip_keeps_text_and_main_intent(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    dataset.dump(EXAMPLES, path)
    loaded = dataset.load(path, KNOWN, detect_lang=lambda text: "xx")
    assert [(e.text, e.intents, e.lang) for e in loaded] == [
        ("tem na cor lilás?", ("variant",), "xx"),
        ('cobrança "duplicada", e agora?', ("refund",), "xx"),
        ("where is my order", ("order_status",), "xx"),
    ]
    assert path.read_text().startswith("version: '3.1'\nnlu:\n- intent: variant\n")


def test_rasa_file_written_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: refund\n  examples: |\n    - cadê meu estorno\n    - reembolso?\n'
        "- synonym: pix\n  examples: |\n    - piks\n"
    )
    assert [e.text for e in dataset.load(path, KNOWN)] == ["cadê meu estorno", "reembolso?"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", "text,intents\nhola,nope\n", r"bad.csv:2: unknown intent\(s\) \['nope'\]"),
        ("bad.csv", "message,label\nhola,refund\n", r"bad.csv:1: the header needs"),
        ("bad.csv", "text,intents\nhola,\n", r"bad.csv:2: no intent"),
        (
            "nlu.yml",
            "nlu:\n- intent: nope\n  examples: |\n    - x\n",
            r"nlu.yml:nlu\[1\]: unknown intent",
        ),
        ("nlu.yml", "nlu: [\n", r"nlu.yml: not valid YAML"),
        ("data.txt", "x", r"data.txt: unknown format"),
    ],
)
def test_bad_files_say_where(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CorpusError, match=message):
        dataset.load(path, KNOWN)
