import pytest

from proxy.nlp.normalize import fold, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Holaaa!! q onda", "hola ! que onda"),
        ("¿Cuándo LLEGA?", "cuando llega ?"),
        ("xq no llega", "porque no llega"),
        ("porfa", "por favor"),
        ("vc tem? obg", "voce tem ? obrigado"),
        ("tb lo quiero", "tambien lo quiero"),
        ("pls cancel", "please cancel"),
        ("pedido 2000005873412", "pedido <id>"),
        ("talla 32", "talla <num>"),
        ("kkkkk jajaja", "<laugh> <laugh>"),
        ("mira www.example.com", "mira <url>"),
        ("escribe a juan@mail.com", "escribe a <email>"),
        ("  espacios\n\ty saltos  ", "espacios y saltos"),
        ("no llega 😡", "no llega 😡"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_fold_strips_accents_and_case() -> None:
    assert fold("Ñandú Ação") == "nandu acao"
