import pytest

from proxy.engine import Engine


@pytest.mark.parametrize(
    ("text", "site", "code", "locale"),
    [
        ("hola", "mercadolibre.com.mx", "es", "es-MX"),
        ("oi", "mercadolivre.com.br", "pt", "pt-BR"),
        ("hola", None, "es", "es-MX"),
        ("oi, tudo bem?", None, "pt", "pt-BR"),
        ("is this still available?", "amazon.com", "en", "en-US"),
        ("che, lo tenés en negro?", None, "es", "es-AR"),
        ("cancelame el pedido porfa", "mercadolibre.com.ar", "es", "es-AR"),
        ("tiene stock?", "mercadolibre.cl", "es", "es-CL"),
        ("cuanto se demora a Medellín?", "mercadolibre.com.co", "es", "es-CO"),
        ("quiero cancelar el pedido, lo he pedido repetido", "amazon.es", "es", "es-ES"),
        ("é original?", "shopee.com.br", "pt", "pt-BR"),
        ("entrega no sábado?", "mercadolivre.com.br", "pt", "pt-BR"),
        ("do you ship to Canada?", "mercadolibre.com.mx", "en", "en-US"),
        ("quero cancelar minha compra", "mercadolibre.com.mx", "pt", "pt-BR"),
        ("obg", None, "pt", "pt-BR"),
        ("gracias!!", None, "es", "es-MX"),
    ],
)
def test_language_and_locale(engine: Engine, text: str, site: str | None, code: str, locale: str) -> None:
    found = engine.recognise(text, site).language
    assert (found.code, found.locale) == (code, locale)
