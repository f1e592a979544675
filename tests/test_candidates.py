"""Template candidates from the replies agents sent, read from a real SQLite store."""

from pathlib import Path

import yaml

from proxy.candidates import Candidate, as_template, candidates, to_yaml
from proxy.engine import Engine
from proxy.rules.loader import RuleSet, placeholder_names
from proxy.rules.schema import Template
from proxy.store import Store


def sent(
    engine: Engine, store: Store, text: str, site: str, final: str, corrected: str | None = None
) -> None:
    result = engine.analyze(text, site)
    store.record_analysis(result, text, site, {})
    if corrected:
        store.record_feedback(result["trace_id"], "corrected", None, corrected, None)
    store.record_feedback(result["trace_id"], "edited", None, None, final)


def test_sent_replies_become_grouped_candidates(engine: Engine, rules: RuleSet, tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db", b"k" * 43)
    ml, amazon = "mercadolibre.com.mx", "sellercentral.amazon.com"
    sent(engine, store, "cuando llega mi pedido?", ml, "Hola Marta, tu paquete 2000004417731 sale mañana.")
    sent(engine, store, "ya enviaron?", ml, "Hola Pedro, tu paquete 2000009990001 sale mañana!")
    sent(engine, store, "y mi compra?", ml, "Hola Pedro, tu paquete 2000009990002 sale mañana")
    sent(engine, store, "la factura?", ml, "Hola, escríbeme a ventas@tienda.mx y te la mando {hoy}")
    sent(engine, store, "is it waterproof?", amazon, "Hi there, yes: IPX7, fine in the rain.", "product_info")
    found = candidates(rules, store.sent_texts())
    assert found == [
        Candidate(
            "invoice",
            "es-MX",
            "Hola, escríbeme a [email] y te la mando {{hoy}}",
            "Mercado Libre / Mercado Livre",
        ),
        Candidate(
            "order_status",
            "es-MX",
            "Hola {buyer_name}, tu paquete {order_id} sale mañana",
            "Mercado Libre / Mercado Livre",
            3,
        ),
        Candidate("product_info", "en-US", "Hi there, yes: IPX7, fine in the rain.", "Amazon"),
    ]
    text = to_yaml(rules, found)
    assert "sent 3x" in text and "# sent 1x" in text
    parsed = yaml.safe_load(text)
    assert sorted(parsed) == ["invoice", "order_status", "product_info"]
    for intent in parsed.values():
        for variants in intent.values():
            for v in variants:
                Template.model_validate(v)  # pasteable into rules/intents/<id>.yaml as it is
                assert set(placeholder_names(v["text"])) <= rules.placeholders


def test_a_reply_already_among_the_templates_is_no_candidate(
    engine: Engine, rules: RuleSet, tmp_path: Path
) -> None:
    store = Store(tmp_path / "r.db", b"k" * 43)
    result = engine.analyze("gracias!!", "mercadolibre.com.mx")
    template = result["suggestions"][0]["text"]
    sent(engine, store, "gracias!!", "mercadolibre.com.mx", template)
    assert candidates(rules, store.sent_texts()) == []
    assert to_yaml(rules, []).endswith("{}\n")


def test_policy_notes_and_placeholders() -> None:
    assert as_template("hola Juan, tu pedido 2000004417731") == "hola {buyer_name}, tu pedido {order_id}"
    assert as_template("Hola Buenas tardes") == "Hola Buenas tardes"
    assert as_template("Oi,  Ana!\nChega amanhã") == "Oi {buyer_name}! Chega amanhã"
    # the tracking code the reply was filled with (`facts`): with an order id's shape, or in small letters
    assert as_template("Hola Ana, tu guía 2000012345678 del pedido 2000004417731 ya salió") == (
        "Hola {buyer_name}, tu guía {tracking_code} del pedido {order_id} ya salió"
    )
    assert as_template("Oi, rastreio NM123456789BR") == "Oi, rastreio {tracking_code}"
    assert as_template("tracking number ab-12345678, see you") == "tracking number {tracking_code}, see you"


def test_a_candidate_against_marketplace_rules_says_so(rules: RuleSet) -> None:
    found = [
        Candidate("invoice", "es-MX", "Mándame whatsapp al 55 1234 5678", "Mercado Libre / Mercado Livre", 2)
    ]
    assert "# sent 2x; against Mercado Libre / Mercado Livre rules: phone number" in to_yaml(rules, found)


def test_an_edited_reply_to_two_intents_is_no_candidate_for_one(
    engine: Engine, rules: RuleSet, tmp_path: Path
) -> None:
    store = Store(tmp_path / "r.db", b"k" * 43)
    text, site = "quando chega meu pedido? e vocês emitem nota fiscal?", "mercadolivre.com.br"
    result = engine.analyze(text, site)
    store.record_analysis(result, text, site, {})
    both = result["suggestions"][0]["template_id"]
    assert "+" in both
    store.record_feedback(result["trace_id"], "inserted", both, None, None)
    store.record_feedback(result["trace_id"], "edited", None, None, "Oi, chega amanhã. E a nota sai hoje.")
    sent(engine, store, "quando chega?", site, "Oi! Seu pedido chega amanhã, tá?")
    assert [(c.intent, c.text) for c in candidates(rules, store.sent_texts())] == [
        ("order_status", "Oi! Seu pedido chega amanhã, tá?")
    ]
