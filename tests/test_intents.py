"""Messages written for these tests (not in the corpus), per locale and intent."""

import pytest

from proxy import engine as engine_module
from proxy.engine import Engine, decide_intents

CASES = [
    # es-MX
    ("es-MX", "oye y si lo pido hoy cuanto tarda en llegar a Puebla?", "shipping_info"),
    ("es-MX", "ya me urge saber donde viene mi paquete, me pasas la guia?", "order_status"),
    ("es-MX", "me llegó la licuadora con el vaso estrellado", "damaged_defective"),
    ("es-MX", "necesito factura con mi RFC porfa", "invoice"),
    ("es-MX", "se puede pagar con tarjeta a meses?", "payment"),
    ("es-MX", "quiero cancelar mi orden, ya no la necesito", "cancel_order"),
    ("es-MX", "lo tienes en color verde?", "variant"),
    ("es-MX", "voy a ir a profeco, son unos estafadores", "complaint"),
    # es-AR
    ("es-AR", "che, tenés stock de la campera?", "availability"),
    ("es-AR", "me vino otro talle, pedí M y me mandaron S", "wrong_item"),
    ("es-AR", "cuándo me devuelven la plata? ya devolví el producto", "refund"),
    ("es-AR", "qué talle me recomendás si mido 1,70?", "size_fit"),
    ("es-AR", "me hacés precio si llevo tres?", "price_offer"),
    # pt-BR
    ("pt-BR", "o rastreio diz entregue mas não recebi nada", "not_received"),
    ("pt-BR", "ficou parado na alfândega, tenho que pagar imposto?", "customs_tax"),
    ("pt-BR", "não consigo conectar o fone no celular, como faz?", "usage_help"),
    ("pt-BR", "quero trocar o endereço de entrega do meu pedido", "change_order"),
    ("pt-BR", "não serviu, quero devolver", "return_exchange"),
    ("pt-BR", "é compatível com iphone 12?", "product_info"),
    ("pt-BR", "amei, chegou super rápido, obrigada!", "thanks"),
    ("pt-BR", "oi, boa tarde", "greeting"),
    # en-US
    ("en-US", "my package says delivered but it's not here", "not_received"),
    ("en-US", "can i get a refund please", "refund"),
    ("en-US", "does this come with a charger?", "product_info"),
    ("en-US", "is this in stock?", "availability"),
    ("en-US", "what size should i get, i'm 5'6?", "size_fit"),
]

# Thanks dominate a short message that then asks; its sentences are scored alone too (es-MX fails without).
THANKS_THEN_ASK = [
    ("es-MX", "todo llegó perfecto, ¡gracias! ¿lo tienen también en verde?", "variant"),
    ("es-AR", "llegó joya, gracias! che, me hacés la factura A?", "invoice"),
    ("es-CL", "llegó todo bien, muchas gracias! ¿hacen envíos a Valdivia?", "shipping_info"),
    ("pt-BR", "chegou rapidinho, valeu! vcs tem em preto tbm?", "variant"),
    ("en-US", "got it today, thanks a lot! do you have it in black too?", "variant"),
]


@pytest.mark.parametrize(("locale", "text", "intent"), CASES + THANKS_THEN_ASK)
def test_main_intent(engine: Engine, locale: str, text: str, intent: str) -> None:
    found = engine.recognise(text, locale=locale)
    assert [i.id for i in found["intents"]][:1] == [intent]


def test_two_intents_main_first(engine: Engine) -> None:
    found = engine.recognise(
        "si compro hoy me llega antes del viernes a Monterrey? y aceptan pago en oxxo?", "mercadolibre.com.mx"
    )
    assert [i.id for i in found["intents"]] == ["shipping_info", "payment"]


def test_request_before_thanks() -> None:
    fused = {"thanks": 0.8, "invoice": 0.6, "other": 0.01}
    assert [i.id for i in decide_intents(fused, {})] == ["invoice", "thanks"]


def test_abstains_when_unsure() -> None:
    assert decide_intents({"payment": 0.15, "refund": 0.14}, {"payment": 0.2}) == []


def test_keywords_from_rules_count(engine: Engine) -> None:
    assert engine.keywords.scores("preciso da nota fiscal", "pt") == {"invoice": 1.0}
    assert engine.keywords.scores("preciso da nota fizcal", "pt")["invoice"] > 0


def test_long_message_is_more_than_a_greeting() -> None:
    fused = {"greeting": 0.7, "change_order": 0.25, "other": 0.01}
    thresholds = {"greeting": 0.2, "change_order": 0.2}
    assert [i.id for i in decide_intents(fused, thresholds, words=3)] == ["greeting"]
    assert [i.id for i in decide_intents(fused, thresholds, words=20)] == ["change_order"]


# A long story with the request in one sentence (messages written for this test).
STORIES = [
    (
        "Hola, buenas tardes. Les cuento que hace un mes les compré unos audífonos para mi hijo, "
        "está feliz y los usa todos los días para ir a la escuela y hacer ejercicio. Ahora quiero "
        "saber si tienen el mismo modelo en color rojo.",
        "variant",
    ),
    (
        "Boa tarde! Comprei com vocês no mês passado uma luminária pra minha sala e ficou linda, chegou bem "
        "embalada e todo mundo elogiou quando veio em casa. Fazem um precinho se eu levar mais três?",
        "price_offer",
    ),
]


@pytest.mark.parametrize(("text", "intent"), STORIES)
def test_the_request_sentence_of_a_long_story_decides(
    engine: Engine, text: str, intent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [i.id for i in engine.recognise(text)["intents"]][:1] == [intent]
    monkeypatch.setattr(engine_module, "SENTENCE_WEIGHT", 0.0)  # the whole message alone is too diluted
    assert [i.id for i in engine.recognise(text)["intents"]][:1] != [intent]
