"""Facts the buyer already gave (order id, tracking code, colour, size, city) fill reply placeholders."""

import pytest

from proxy.engine import Engine
from proxy.facts import FactFinder
from proxy.rules.loader import RuleSet


@pytest.fixture(scope="module")
def finder(rules: RuleSet) -> FactFinder:
    return FactFinder(rules.facts)


# buyer messages (newest first), language, locale, expected values (messages written for these tests)
CASES = [
    (
        ["¿y en talla M?", "¿lo tienen en azul marino?"],
        "es",
        "es-MX",
        {"size": "M", "color": "azul marino", "option": "azul marino, talla M"},
    ),
    (
        ["y en L?", "hay en negra?"],
        "es",
        "es-AR",
        {"size": "L", "color": "negra", "option": "negra, talle L"},
    ),
    (["calzo 27 cual me recomendas"], "es", "es-AR", {"size": "27", "option": "talle 27"}),
    (["TALLE XL hay?"], "es", "es-AR", {"size": "XL", "option": "talle XL"}),
    (
        ["e no tamanho GG?", "tem na cor preta?"],
        "pt",
        "pt-BR",
        {"size": "GG", "color": "preta", "option": "preta, tamanho GG"},
    ),
    (["qual o frete pra curitiba?"], "pt", "pt-BR", {"city": "Curitiba"}),
    (["qual o frete pra SP?"], "pt", "pt-BR", {"city": "São Paulo"}),
    (["cuanto tarda en llegar a queretaro"], "es", "es-MX", {"city": "Querétaro"}),
    (
        ["do you have it in XL?", "is the red one in stock"],
        "en",
        "en-US",
        {"size": "XL", "color": "red", "option": "red, size XL"},
    ),
    (
        ["pedido 114-3958201-7741022, llega a bogota?"],
        "es",
        "es-CO",
        {"order_id": "114-3958201-7741022", "city": "Bogotá"},
    ),
    (["numero de pedido 2000012345678"], "es", "es-MX", {"order_id": "2000012345678"}),
    # an earlier message of the thread, with invisible characters inside the colour and the city
    (
        ["y en talla M?", "la quiero en ne\u200bgro, llega a Bo\u00adgotá?"],
        "es",
        "es-CO",
        {"size": "M", "color": "negro", "city": "Bogotá", "option": "negro, talla M"},
    ),
    # The order id and the size are read from the cleaned text too: an invisible character inside them, or
    # full-width digits and letters (typed with a CJK keyboard), hide them from nothing.
    (
        ["pedido 2000\u200b012345678, en talla \u2060XL"],
        "es",
        "es-MX",
        {"order_id": "2000012345678", "size": "XL", "option": "talla XL"},
    ),
    (
        ["order １１４-３９５８２０１-７７４１０２２ size Ｍ"],
        "en",
        "en-US",
        {"order_id": "114-3958201-7741022", "size": "M", "option": "size M"},
    ),
    # A tracking code: a carrier's shape anywhere, any other code right after a word that names it.
    (
        ["meu código de rastreio é NM123456789BR e não chegou"],
        "pt",
        "pt-BR",
        {"tracking_code": "NM123456789BR"},
    ),
    (["ya pasaron 20 dias y nada LB123456789CN"], "es", "es-MX", {"tracking_code": "LB123456789CN"}),
    (["mi numero de guia es el 7891234560123"], "es", "es-MX", {"tracking_code": "7891234560123"}),
    (
        ["tracking number: 1Z999AA10123456784 says delivered"],
        "en",
        "en-US",
        {"tracking_code": "1Z999AA10123456784"},
    ),
    (
        ["guia de rastreo: ab-12345678, pedido 2000012345678"],
        "es",
        "es-CO",
        {"tracking_code": "AB-12345678", "order_id": "2000012345678"},
    ),
    # a guía that has an order id's shape is the guía, not also the order
    (["la guia es 2000012345678"], "es", "es-MX", {"tracking_code": "2000012345678"}),
    (
        ["la guia es 2000012345678 y el pedido 2000099999999"],
        "es",
        "es-MX",
        {"tracking_code": "2000012345678", "order_id": "2000099999999"},
    ),
    # no code, too short, or a number that belongs to something else
    (["no tengo guia todavia", "the tracking hasn't updated in 10 days"], "es", "es-MX", {}),
    (["guia 12345", "rastreio do pedido 2000012345678"], "pt", "pt-BR", {"order_id": "2000012345678"}),
    # Colour words that are not colours here, and sizes with no cue word, are left alone.
    (["la red social no carga", "la factura salió en blanco"], "es", "es-MX", {}),
    (["black friday deal still on?"], "en", "en-US", {}),
    (["compré 2 de M y 1 P"], "es", "es-MX", {}),
    (["mido 1.70 y peso 70"], "es", "es-MX", {}),
]


@pytest.mark.parametrize(("texts", "lang", "locale", "expected"), CASES)
def test_facts_found_in_buyer_messages(
    finder: FactFinder, texts: list[str], lang: str, locale: str, expected: dict[str, str]
) -> None:
    assert finder.find(texts, lang, locale, {}).values == expected


def test_the_newest_mention_wins_and_the_page_wins_over_the_text(finder: FactFinder) -> None:
    assert finder.find(["mejor en rojo", "lo tienen en azul?"], "es", "es-MX", {}).values["color"] == "rojo"
    given = finder.find(["lo tienen en azul?"], "es", "es-MX", {"color": "verde", "order_id": None})
    assert (given.values, given.zh) == (
        {"color": "verde", "option": "verde"},
        {"color": "绿色", "option": "绿色"},
    )


def test_gloss_names_the_colour_in_chinese(finder: FactFinder) -> None:
    facts = finder.find(["y en talla M?", "tem na cor preta?"], "pt", "pt-BR", {})
    assert facts.zh == {"color": "黑色", "option": "黑色，尺码 M"}


def test_followup_reply_uses_colour_and_size_from_the_thread(engine: Engine) -> None:
    out = engine.analyze(
        "¿y en talla M?", "mercadolibre.com.mx", thread=[("buyer", "hola, ¿lo tienen en azul?")]
    )
    first = out["suggestions"][0]
    assert out["intents"][0]["id"] in ("variant", "availability")
    assert "azul, talla M" in first["text"] and "蓝色，尺码 M" in first["gloss_zh"]
    assert first["missing"] == [] and first["policy"]["ok"]


@pytest.mark.parametrize(
    ("site", "thread", "text", "expected", "zh"),
    [
        ("mercadolibre.com.ar", [], "uso talle 42, ¿cuál me recomendás?", "el talle 42", "42码"),
        (
            "mercadolivre.com.br",
            [],
            "qual o frete pra Curitiba? chega em quantos dias",
            "para Curitiba",
            "Curitiba",
        ),
        (  # a zero-width space inside the word: facts read the cleaned text, as recognition does
            "mercadolibre.com.mx",
            [],
            "¿la tienen en ne\u200bgro?",
            "existencia en negro",
            "黑色",
        ),
        (
            "sellercentral.amazon.com",
            [("buyer", "i usually wear a size 10")],
            "which size should i get?",
            "size 10",
            "10码",
        ),
    ],
)
def test_reply_filled_from_what_the_buyer_wrote(
    engine: Engine, site: str, thread: list[tuple[str, str]], text: str, expected: str, zh: str
) -> None:
    first = engine.analyze(text, site, thread=thread)["suggestions"][0]
    assert expected in first["text"] and zh in first["gloss_zh"] and first["missing"] == []


def test_a_tracking_code_the_buyer_wrote_fills_the_reply_and_passes_the_marketplace_rules(
    engine: Engine,
) -> None:
    """On Mercado Libre a reply may not carry a phone number: a guía of digits is the buyer's code."""
    out = engine.analyze(
        "ya pasaron 20 dias y no me llega nada, mi guia es 7891234560123", "mercadolibre.com.mx"
    )
    first = out["suggestions"][0]
    assert out["intents"][0]["id"] == "not_received"
    assert "7891234560123" in first["text"] and "7891234560123" in first["gloss_zh"]
    assert "tracking_code" not in first["missing"] and first["policy"]["ok"]


def test_without_facts_the_general_reply_comes_first(engine: Engine) -> None:
    out = engine.analyze("¿lo tienen en otros colores?", "mercadolibre.com.mx")
    assert [s["template_id"] for s in out["suggestions"]][:1] == ["variant.es-MX.1"]
