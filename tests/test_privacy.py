"""Redaction that survives evasion: tables of the ways buyers write personal data (es / pt / en; BR, MX,
AR, CO, CL documents), checked in the redacted text and then in the raw bytes of every file a real
`responde serve` leaves in its data directory (db, -wal, -shm, logs, an export); and the values the
replies need (order ids, prices, sizes, tracking codes) kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from live import ServeProcess

from proxy.redact import redact

# (what the buyer wrote, the secret that must not survive, the redacted text)
EVASIONS = [
    ("mi correo es juan.perez\u200b@gmail.com", "juan.perez", "mi correo es [email]"),
    ("mi correo juan.perez＠gmail.com", "juan.perez", "mi correo [email]"),
    ("escribime a juan arroba gmail punto com", "juan arroba", "escribime a [email]"),
    (
        "meu email: joao ponto silva arroba hotmail ponto com ponto br",
        "joao ponto silva",
        "meu email: [email]",
    ),
    ("email me: john dot smith at gmail dot com", "john dot smith", "email me: [email]"),
    ("mail: ana (at) outlook (dot) com", "ana (at)", "mail: [email]"),
    ("mi mail ana [arroba] yahoo [punto] com [punto] mx", "ana [arroba]", "mi mail [email]"),
    ("correo: pedro @ gmail . com", "pedro @", "correo: [email]"),
    ("pe\u00addro@gma\u200cil.com", "pedro@", "[email]"),
    ("tarjeta 4111.1111.1111.1111", "4111.1111", "tarjeta [card]"),
    ("tarjeta 4111\u00a01111\u00a01111\u00a01111", "4111 1111", "tarjeta [card]"),
    ("cartão 4111•1111•1111•1111", "4111•1111", "cartão [card]"),
    ("cartão 5555-5555-5555-4444 vence 12/27", "5555-5555", "cartão [card] vence 12/27"),
    ("amex 3782 822463 10005", "822463", "amex [card]"),
    ("visa ４１１１１１１１１１１１１１１１", "4111111111111111", "visa [card]"),
    ("CEP 01310-100", "01310-100", "CEP [cep]"),
    ("meu cep é 01310100", "01310100", "meu cep é [cep]"),
    ("entrega no 01310-100 por favor", "01310-100", "entrega no [cep] por favor"),
    ("soy 30.123.456, compré ayer", "30.123.456", "soy [dni], compré ayer"),
    ("mi documento es 30.123.456", "30.123.456", "mi documento es [dni]"),
    ("cédula 1.020.304.050", "1.020.304.050", "cédula [id]"),
    ("C.C. 1020304050", "1020304050", "C.C. [id]"),
    ("RG 12.345.678-9", "12.345.678", "RG [id]"),
    ("CPF 529 982 247 25", "529 982 247", "CPF [cpf]"),
    ("CPF 529.982.247.25", "529.982.247", "CPF [cpf]"),
    ("CNPJ 11 222 333 0001 81", "11 222 333", "CNPJ [cnpj]"),
    ("CUIT 20 12345678 6", "12345678", "CUIT [cuit]"),
    ("RUT 12 345 678-5", "345 678", "RUT [rut]"),
    ("mi dirección es Fresno 123, col. Centro", "Fresno 123", "mi dirección es [address], col. Centro"),
    ("envíenlo a Los Álamos 456 depto 3B", "Álamos 456", "envíenlo a [address] depto 3B"),
    ("moro na Augusta 1500 apto 12", "Augusta 1500", "moro na [address] apto 12"),
    ("ship to 1600 Pennsylvania Avenue", "1600 Pennsylvania", "ship to [address]"),
    ("Lavalle 1234 piso 3, CABA", "Lavalle 1234", "[address] piso 3, CABA"),
    ("Calle 45 # 12-34, Bogotá", "45 # 12-34", "[address], Bogotá"),
    (
        "mi cel es cinco cinco uno dos tres cuatro cinco seis siete ocho",
        "cinco cinco uno",
        "mi cel es [phone]",
    ),
    ("meu número é onze nove oito sete seis cinco quatro três dois um", "onze nove", "meu número é [phone]"),
    ("call me: two one two five five five zero one four three", "two one two", "call me: [phone]"),
    (
        "llamame al cincuenta y cinco, doce, treinta y cuatro, cincuenta y seis, setenta y ocho",
        "cincuenta y cinco, doce",
        "llamame al [phone]",
    ),
    ("whatsapp 55 1234 5678 o 11 98765-4321", "98765", "whatsapp [phone] o [phone]"),
    ("mi cel: 55.1234.5678", "1234.5678", "mi cel: [phone]"),
    ("mi cel es 5\u200b5 1234 5678", "1234 5678", "mi cel es [phone]"),
    ("Saludos, Mariana Gómez", "Mariana", "Saludos, [name] [name]"),
    ("soy mariana gomez del depto 3", "mariana", "soy [name] [name] del depto 3"),
]
KEEP = [
    "venta 2000004417731, guía LB123456789CN",
    "order 114-3958201-7741022",
    "mido 1.70 y peso 70, ¿talla 32 o 34?",
    "cuesta $3,299 y llega el 15/05",
    "R$ 1.299,90 em 10x de 129,99",
    "me costó $ 1.250.000",
    "pagué 1.250.000 pesos",
    "talla 42, color Negro",
    "pedido #2000004417731",
    "tracking 1Z999AA10123456784",
    "Shopee 230512ABCD1234",
    "son 3 unidades de 250 ml",
    "modelo X20 de 128 GB, 2 piezas",
    "el envío tarda 10 a 15 días",
    "Samsung Galaxy S23 Ultra 256GB",
    "llegó el 15/05/2024 a las 10:30",
    "la caja mide 30 x 40 x 50 cm",
    "I'm at amazon.com now",
    "uno dos tres probando",
    "quiero dos o tres",
    "order 112-1234567-1234567 and 113-7654321-7654321",
    "NF 35230512345678000199550010000012341234567890",
]


@pytest.mark.parametrize(("text", "secret", "redacted"), EVASIONS)
def test_evasions_are_redacted(text: str, secret: str, redacted: str) -> None:
    assert redact(text, ["Mariana Gómez"]) == redacted


@pytest.mark.parametrize("text", KEEP)
def test_what_replies_need_survives(text: str) -> None:
    assert redact(text) == text


def test_no_evasion_survives_in_any_file_of_the_data_directory(models_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = ServeProcess(home, models_dir)
    context = {"buyer_name": "Mariana Gómez", "order_id": "2000004417731", "product": "funda 55 1234 5678"}
    traces = []
    for text, _, _ in EVASIONS:
        status, out = server.request(
            "POST", "/v1/analyze", {"text": text, "context": context, "site": "mercadolibre.com.mx"}
        )
        assert status == 200 and out["stored"] is True
        traces.append(out["trace_id"])
    final = "Hola Mariana, ya enviamos tu pedido. Saludos, equipo. Mariana, cualquier duda avisanos."
    for trace, (text, _, _) in zip(traces, EVASIONS, strict=True):
        assert (
            server.request(
                "POST",
                "/v1/feedback",
                {"trace_id": trace, "action": "edited", "final_text": f"{final} {text}"},
            )[0]
            == 201
        )
    env = dict(os.environ, RESPONDE_HOME=str(home))
    export = home / "export.json"
    done = subprocess.run(
        [sys.executable, "-m", "proxy", "export", "--out", str(export)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(export.read_text())
    assert "[email]" in json.dumps(rows) and "[name]" in json.dumps(rows)
    assert "2000004417731" not in json.dumps(rows)  # the order id is kept only as a keyed hash
    log = server.stop().encode()
    files = [p for p in home.rglob("*") if p.is_file() and "models" not in p.parts]
    assert {p.name for p in files} >= {"responde.db", "export.json"}
    raw = b"".join(p.read_bytes() for p in files) + log
    leaks = [
        secret
        for _, secret, _ in EVASIONS
        for form in {secret, secret.replace(" ", "")}
        if form.encode() in raw or form.encode("utf-16-le") in raw
    ]
    assert leaks == []
    assert b"Mariana" not in raw and b"mariana" not in raw
