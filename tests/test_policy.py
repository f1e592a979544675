import pytest
from conftest import LOCALE_SITES as SITES

from proxy.engine import Engine
from proxy.policy import check, marketplace_for
from proxy.replies import render
from proxy.rules.schema import LOCALES

SAMPLE = {
    "buyer_name": "Mariana",
    "order_id": "2000005873412",
    "product": "Audífonos Bluetooth X200 negros",
    "tracking_code": "MX123456789BR",
    "eta": "15/03",
}


@pytest.fixture(scope="module")
def ml(rules):
    return marketplace_for(rules.policies, "mercadolibre.com.mx")


@pytest.mark.parametrize(
    ("text", "violations"),
    [
        ("Hola, con gusto te ayudo.", []),
        ("Escríbeme a ventas@tienda.mx", ["e-mail address"]),
        ("Llámame al +52 55 1234 5678", ["phone number"]),
        ("Mira www.mitienda.com.mx", ["external link"]),
        ("Detalles en https://bit.ly/abc", ["link shortener", "external link"]),
        ("Síguenos en @tiendademo", ["social-network handle"]),
        ("Mándanos whatsapp", ["social-network handle"]),
        ("x" * 351, ["too long: 351 > 350 characters"]),
    ],
)
def test_mercadolibre_rules(ml, text: str, violations: list[str]) -> None:
    result = check(text, ml)
    assert result.as_dict() == {
        "ok": not violations,
        "length": len(text),
        "limit": 350,
        "violations": violations,
    }


def test_order_id_is_not_a_phone(ml) -> None:
    assert check("Tu pedido 2000005873412 ya salió", ml, ["2000005873412"]).ok


def test_amazon_allows_amazon_links(rules) -> None:
    amazon = marketplace_for(rules.policies, "sellercentral.amazon.com.mx")
    assert check("Ver https://www.amazon.com.mx/gp/css/order-history", amazon).ok
    assert check("Ver https://example.com/x", amazon).violations == ("external link",)


def test_unknown_site_has_no_limit(rules) -> None:
    assert marketplace_for(rules.policies, "example.org") is None
    assert check("a@b.co", None).ok


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_obeys_its_marketplace(rules, locale: str) -> None:
    market = marketplace_for(rules.policies, SITES[locale])
    for intent in rules.intents:
        for ctx in (SAMPLE, {}):
            for reply in render(rules, intent, locale, ctx):
                result = check(reply.text, market, [SAMPLE["order_id"], SAMPLE["tracking_code"]])
                assert result.violations == (), (reply.template_id, reply.text)
                assert "{" not in reply.text and "}" not in reply.text


@pytest.mark.parametrize(
    "hostile", ["{order_id}", "{{7*7}}", "<img src=x onerror=alert(1)>", "{0.__class__}"]
)
def test_hostile_buyer_values_come_back_literally(engine: Engine, hostile: str) -> None:
    context = {"buyer_name": hostile, "order_id": hostile, "product": hostile}
    out = engine.analyze("¿ya enviaron mi pedido?", "mercadolibre.com.mx", None, context)
    texts = [s["text"] for s in out["suggestions"]]
    assert out["intents"][0]["id"] == "order_status"
    assert texts and all(t.startswith(f"Hola, tu pedido {hostile} ") for t in texts)  # no name: not a name
    assert all("49" not in t for t in texts)
    [reply] = render(engine.rules, "greeting", "es-MX", context)
    assert reply.text.startswith("¡Hola! Gracias por escribir")


def test_missing_values_leave_visible_slots(rules) -> None:
    tracked, general = render(rules, "order_status", "pt-BR", {"tracking_code": "BR123"})
    assert tracked.text.startswith(
        "Oi, seu pedido [número do pedido] já está a caminho! O código de rastreio é BR123"
    )
    assert "[data prevista]" in tracked.text and tracked.missing == ("order_id", "eta")
    assert "[订单号]" in tracked.gloss_zh and "[预计送达日期]" in tracked.gloss_zh
    assert general.missing == ("order_id",)


def test_render_with_name(rules) -> None:
    [reply] = render(rules, "greeting", "es-AR", {"buyer_name": "Lucía"})
    assert reply.text == "¡Hola Lucía! Gracias por escribir a Tienda Demo. ¿En qué te puedo ayudar?"
