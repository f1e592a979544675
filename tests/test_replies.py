"""Replies to a message with two intents: one reply answering both, or each intent's own, in every locale."""

import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import LOCALE_SITES as SITES

from proxy import paths
from proxy.carry import Read
from proxy.engine import UNANSWERED, Engine
from proxy.nlp.pipeline import IntentScore
from proxy.policy import marketplace_for
from proxy.replies import greeted, greeting_name, joined, render, without_opening
from proxy.rules.loader import RuleSet, load_rules, placeholder_names
from proxy.rules.schema import LOCALES, Template

NAME = {"buyer_name": "Ana"}


def analyze_as(
    engine: Engine, text: str, site: str, intents: list[str], now: datetime | None = None
) -> dict[str, Any]:
    """The answer to `text` as if recognition had read these intents (the replies, not the model, on test)."""
    reading = engine.recognise(text, site)
    reading = dataclasses.replace(reading, intents=[IntentScore(i, 0.9) for i in intents])
    return engine.analyze(text, site, None, NAME, read=Read(reading, None), now=now)


def test_one_reply_answers_both_intents(engine: Engine) -> None:
    out = analyze_as(engine, "oi, quando chega meu pedido? e vocês emitem nota fiscal?", SITES["pt-BR"],
                     ["order_status", "invoice"])  # fmt: skip
    keys = ("template_id", "answers", "text", "gloss_zh", "missing")
    shown = [tuple(s[k] for k in keys) for s in out["suggestions"]]
    assert shown == [
        (
            "order_status.pt-BR.1+invoice.pt-BR.1",
            ["order_status", "invoice"],
            "Oi Ana, seu pedido [número do pedido] já está em andamento! Postamos em até 2 dias úteis "
            "após a compra e ele chega de 3 a 7 dias úteis depois. "
            "O rastreio aparece no detalhe da compra assim que ele é postado. Emitimos nota fiscal sim! "
            "Ela fica disponível na sua compra em até 48 horas. "
            "Se precisar no CNPJ, me manda os dados por aqui que eu verifico.",
            "您好，您的订单[订单号]已在处理中！下单后2个工作日内发货，发货后3至7个工作日送达。发货后物流单号会显示在订单详情中。"
            "可以开发票（nota fiscal）。发票会在48小时内出现在您的订单里。"
            "如需开到公司（CNPJ），请在此发送公司信息，我来核实。",
            ["order_id"],
        ),
        (
            "order_status.pt-BR.1",
            ["order_status"],
            "Oi Ana, seu pedido [número do pedido] já está em andamento! Postamos em até 2 dias úteis "
            "após a compra e ele chega de 3 a 7 dias úteis depois. "
            "O rastreio aparece no detalhe da compra assim que ele é postado.",
            "您好，您的订单[订单号]已在处理中！下单后2个工作日内发货，发货后3至7个工作日送达。发货后物流单号会显示在订单详情中。",
            ["order_id"],
        ),
    ]
    assert out["suggestions"][0]["policy"] == {"ok": True, "length": 349, "limit": 350, "violations": []}
    readme = (paths.REPO / "README.md").read_text(encoding="utf-8")
    assert "`order_status.pt-BR.1+invoice.pt-BR.1`" in readme and "Emitimos nota\n  fiscal sim!" in readme


def test_a_brief_answer_follows_when_both_full_replies_are_too_long(engine: Engine) -> None:
    out = analyze_as(
        engine, "cuando llega mi pedido? y necesito factura", SITES["es-MX"], ["order_status", "invoice"]
    )
    first = out["suggestions"][0]
    assert first["template_id"] == "order_status.es-MX.1+invoice.es-MX.b1"  # invoice's brief answer
    assert first["answers"] == ["order_status", "invoice"]
    assert first["text"] == (
        "Hola Ana, tu pedido [número de pedido] ya está en proceso: sale en hasta 2 días hábiles después "
        "de tu compra y llega de 3 a 7 días hábiles después del envío. El número de seguimiento aparece en "
        "el detalle de tu compra en cuanto sale. Sobre la factura: mándame por aquí tu RFC, razón social, "
        "régimen, CP y uso de CFDI; te llega en máximo 48 h."
    )
    assert first["gloss_zh"].endswith(
        "。关于发票：请在此发送RFC税号、名称/公司名、税务制度、邮编和CFDI用途，最迟48小时内提供发票。"
    )
    assert first["policy"] == {"ok": True, "length": 342, "limit": 350, "violations": []}
    assert [s["template_id"] for s in out["suggestions"][1:]] == ["order_status.es-MX.1"]


def test_when_no_full_reply_fits_beside_the_other_the_two_brief_answers_share_one_greeting(
    engine: Engine,
) -> None:
    """The payment reply is too long to join any other on Mercado Libre: the first suggestion is the two
    brief answers under the payment reply's greeting, then each intent's own reply, to send one after
    the other."""
    out = analyze_as(
        engine, "ya pagué y sigue pendiente, y necesito factura", SITES["es-MX"], ["payment", "invoice"]
    )
    shown = [(s["template_id"], s["answers"]) for s in out["suggestions"]]
    assert shown == [
        ("payment.es-MX.b1+invoice.es-MX.b1", ["payment", "invoice"]),
        ("payment.es-MX.1", ["payment"]),
        ("invoice.es-MX.1", ["invoice"]),
    ]
    assert out["suggestions"][0]["text"] == (
        "Hola Ana, sobre el pago: si quedó pendiente o rechazado, revisa el estado en tu compra; al "
        "acreditarse, preparamos tu envío. Sobre la factura: mándame por aquí tu RFC, razón social, régimen, "
        "CP y uso de CFDI; te llega en máximo 48 h."
    )
    assert out["suggestions"][0]["gloss_zh"].startswith("您好，关于付款：")
    assert out["suggestions"][2]["text"].startswith("Hola Ana, claro, sí facturamos.")
    assert all(s["policy"]["ok"] for s in out["suggestions"])


def test_the_pair_is_the_first_in_order_that_fits(engine: Engine, rules: RuleSet) -> None:
    known = {**NAME, "size": "M", "option": "azul", "color": "azul", "product": "Tenis X"}
    first = render(rules, "size_fit", "es-MX", known)
    then = render(rules, "variant", "es-MX", known, opening=False)
    assert len(first) == 2 and len(then) == 2
    pairs = [(a, b) for a in first for b in then]
    for n, (a, b) in enumerate(pairs):
        taken = {f"{x.text} {y.text}" for x, y in pairs[:n]}

        def fits(text: str, taken: set[str] = taken) -> bool:  # the earlier pairs "too long"
            return text not in taken

        both = joined(first, then, fits)
        assert both is not None and both.template_id == f"{a.template_id}+{b.template_id}"
        assert both.text == f"{a.text} {b.text}" and both.gloss_zh == a.gloss_zh + b.gloss_zh
    assert joined(first, then, lambda text: False) is None
    out = analyze_as(engine, "Where is my order? Also do you have it in blue?", SITES["en-US"],
                     ["order_status", "variant"])  # fmt: skip
    # Amazon has no length limit: the first pair, the variant that names the colour the buyer gave first
    assert out["marketplace"] == "Amazon"
    assert out["suggestions"][0]["template_id"] == "order_status.en-US.1+variant.en-US.2"
    assert ". Let me check stock for blue and" in out["suggestions"][0]["text"]


def test_thanks_beside_a_request_gets_no_reply_of_its_own(engine: Engine) -> None:
    out = analyze_as(engine, "cuando llega? gracias!", SITES["es-AR"], ["order_status", "thanks"])
    assert [s["template_id"] for s in out["suggestions"]] == ["order_status.es-AR.1"]


def test_a_thanks_before_buying_is_not_told_its_order_arrived(engine: Engine) -> None:
    out = analyze_as(engine, "ok muchas gracias por la info", SITES["es-MX"], ["thanks"])
    assert [(s["template_id"], s["text"]) for s in out["suggestions"]] == [
        ("thanks.es-MX.1", "¡Gracias a ti, Ana! Fue un gusto atenderte. Aquí estamos para lo que necesites."),
        (
            "thanks.es-MX.2",
            "¡Gracias a ti, Ana! Nos da mucho gusto que todo haya llegado bien. "
            "Aquí estamos para lo que necesites.",
        ),
    ]


ARRIVED = re.compile(r"(?i)\b(?:llegad|lleg[oó]\b|chegad|chegou|arriv)")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_first_reply_presumes_no_arrival_its_intent_does_not(rules: RuleSet, locale: str) -> None:
    """A thanks may be for an answer before buying; a defect may show months after delivery ("funcionaba
    bien pero ya no carga"): their first reply says nothing of how the order arrived."""
    for intent in ("thanks", "damaged_defective"):
        first = render(rules, intent, locale, NAME)[0]
        assert not ARRIVED.search(first.text), (intent, locale, first.text)


OPEN = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday 11:00 on the store's clock (Mexico City)


def test_an_order_question_gets_the_store_s_times_not_a_number_to_look_up(engine: Engine) -> None:
    """A "¿ya lo enviaron?" comes before the order ships as often as on its way: the first reply is true
    either way and needs nothing the agent must look up (the store's dispatch and delivery days; where the
    tracking number shows). The reply with a tracking number and a date comes first only when one is known."""
    asked = {**NAME, "order_id": "2000001"}
    reading = dataclasses.replace(engine.recognise("¿ya lo enviaron?", SITES["es-MX"]), intents=[
        IntentScore("order_status", 0.9)])  # fmt: skip
    read = Read(reading, None)
    out = engine.analyze("¿ya lo enviaron?", SITES["es-MX"], None, asked, read=read, now=OPEN)
    assert [(s["template_id"], s["text"], s["missing"]) for s in out["suggestions"]] == [
        (
            "order_status.es-MX.1",
            "Hola Ana, tu pedido 2000001 ya está en proceso: sale en hasta 2 días hábiles después de tu "
            "compra y llega de 3 a 7 días hábiles después del envío. El número de seguimiento aparece en el "
            "detalle de tu compra en cuanto sale.",
            [],
        )
    ]
    tracked = {**asked, "tracking_code": "MX123456789"}
    out = engine.analyze("¿ya lo enviaron?", SITES["es-MX"], None, tracked, read=read, now=OPEN)
    assert [(s["template_id"], s["missing"]) for s in out["suggestions"]] == [
        ("order_status.es-MX.2", ["eta"]),  # the date, when the page gave none, is a slot to fill
        ("order_status.es-MX.1", []),
    ]
    tracking = "Tu número de seguimiento es MX123456789 y la fecha estimada de entrega es [fecha estimada]."
    assert tracking in out["suggestions"][0]["text"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_first_order_reply_asks_for_nothing_but_the_order_id(rules: RuleSet, locale: str) -> None:
    """With only what every page gives, the order_status reply and its brief answer fill every value from the
    store, and say the dispatch days before the delivery days."""
    market = marketplace_for(rules.policies, SITES[locale])
    replies = render(rules, "order_status", locale, {}, market=market)
    replies += render(rules, "order_status", locale, {}, market=market, brief=True)
    limited = market is not None and market.max_length is not None  # brief answers: Mercado Libre's locales
    assert [(r.template_id.rsplit(".", 1)[1], r.missing) for r in replies] == (
        [("1", ("order_id",))] + ([("b1", ())] if limited else [])
    )
    for reply in replies:
        assert reply.text.index(" 2 ") < reply.text.index(" 3 ") < reply.text.index(" 7 "), reply.text


def test_off_hours_acknowledgement_keeps_its_place(engine: Engine) -> None:
    sunday = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)  # the store is closed on Sundays
    text = "quando chega? e a nota fiscal?"
    out = analyze_as(engine, text, SITES["pt-BR"], ["order_status", "invoice"], now=sunday)
    shown = [(s["template_id"], s["answers"]) for s in out["suggestions"]]
    assert shown == [
        ("order_status.pt-BR.1+invoice.pt-BR.1", ["order_status", "invoice"]),
        ("order_status.pt-BR.1", ["order_status"]),
        ("off_hours.pt-BR", []),  # answers no question: says when the answer comes
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_answerable_template_drops_its_greeting_cleanly(rules: RuleSet, locale: str) -> None:
    """A second part never greets again: every template a second intent can use opens with a greeting the
    join knows, and what is left starts with a capital; its gloss drops its 您好 too."""
    for intent, rule in rules.intents.items():
        if intent in UNANSWERED:
            continue
        for template in rule.templates[locale]:
            rest = without_opening(template)
            assert rest.text != template.text, (intent, locale, template.text[:40])
            assert not re.match(r"\s*¡?(hola|oi|hi)\b", rest.text, re.I), (intent, locale, rest.text[:40])
            first = next(c for c in rest.text if c.isalpha() or c == "{")
            assert first == "{" or first.isupper(), (intent, locale, rest.text[:40])
            assert not rest.gloss_zh.startswith("您好"), (intent, locale, rest.gloss_zh[:10])


def test_a_template_that_is_only_a_greeting_or_has_none_is_kept_whole() -> None:
    bare = Template(text="Hola {buyer_name}!", gloss_zh="您好！")
    assert without_opening(bare) == bare
    plain = Template(text="Claro que sí, {buyer_name}.", gloss_zh="当然可以。")
    assert without_opening(plain) == plain
    asks = Template(text="¡Hola {buyer_name}! ¿me confirmas la talla?", gloss_zh="您好！请确认尺码。")
    assert without_opening(asks) == Template(text="¿Me confirmas la talla?", gloss_zh="请确认尺码。")


def test_a_brief_answer_that_opens_a_reply_takes_the_full_reply_s_greeting() -> None:
    brief = Template(text="E sobre o ocorrido: sinto muito.", gloss_zh="另外，关于您反映的问题：非常抱歉。")
    full = Template(text="Oi {buyer_name}, sinto muito pelo ocorrido.", gloss_zh="您好，很抱歉。")
    assert greeted(brief, full) == Template(
        text="Oi {buyer_name}, sobre o ocorrido: sinto muito.", gloss_zh="您好，关于您反映的问题：非常抱歉。"
    )
    colombia = Template(text="Hola {buyer_name}, qué gusto saludarte. Claro que sí.", gloss_zh="您好，当然。")
    chile = Template(text="¡Hola {buyer_name}! Claro que sí.", gloss_zh="您好！当然。")
    pago = Template(text="Sobre el pago: revisa tu compra.", gloss_zh="关于付款：请查看订单。")
    assert (
        greeted(pago, colombia).text
        == "Hola {buyer_name}, qué gusto saludarte. Sobre el pago: revisa tu compra."
    )
    assert greeted(pago, chile).text == "¡Hola {buyer_name}! Sobre el pago: revisa tu compra."
    assert greeted(pago, chile).gloss_zh == "您好！关于付款：请查看订单。"
    plain = Template(text="Claro que sí, {buyer_name}.", gloss_zh="当然可以。")
    assert greeted(pago, plain) == pago  # no greeting the join knows: the brief answer as it is


def test_where_length_is_limited_every_answerable_intent_has_a_brief_answer(rules: RuleSet) -> None:
    """On a marketplace with a length limit, every intent a second question can ask has a short answer to
    follow another reply: no greeting and no name, a capital first, at most 120 characters with every value
    unknown (the slot texts), only placeholders its full replies use, a gloss without 您好."""
    problems, checked = [], 0
    for locale, site in SITES.items():
        market = marketplace_for(rules.policies, site)
        if market is None or market.max_length is None:
            continue
        for intent, rule in rules.intents.items():
            if intent in UNANSWERED:
                continue
            briefs = rule.brief.get(locale, [])
            problems += [(intent, locale, "no brief answer")] if not briefs else []
            full = {name for t in rule.templates[locale] for name in placeholder_names(t.text)}
            for template in briefs:
                checked += 1
                if without_opening(template) != template or "{buyer_name}" in template.text:
                    problems.append((intent, locale, "greets"))
                if not template.text[0].isupper() or template.gloss_zh.startswith("您好"):
                    problems.append((intent, locale, template.text[:20], template.gloss_zh[:5]))
                if extra := set(placeholder_names(template.text)) - full:
                    problems.append((intent, locale, sorted(extra)))
            for reply in render(rules, intent, locale, {}, market=market, opening=False, brief=True):
                problems += [(intent, locale, len(reply.text))] if len(reply.text) > 120 else []
    assert problems == [] and checked == 5 * 20  # Mercado Libre's five locales; order_status has two


def test_the_readme_s_brief_answer_overlay_is_the_one_joined(engine: Engine, tmp_path: Path) -> None:
    """A seller's overlay holding only a `brief:` (the README's example) replaces the shipped brief answer."""
    readme = (paths.REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("# ~/.config/responde/rules/intents/invoice.yaml\nbrief:", 1)[1].split("```", 1)[0]
    (tmp_path / "intents").mkdir()
    (tmp_path / "intents" / "invoice.yaml").write_text("brief:" + block, encoding="utf-8")
    rules = load_rules(paths.REPO / "rules", [tmp_path])
    seller = Engine(rules, engine.model, engine.recognizer.lid)  # the shipped model, the seller's rules
    out = analyze_as(seller, "cuando llega? y la factura", SITES["es-MX"], ["order_status", "invoice"])
    assert out["suggestions"][0]["template_id"] == "order_status.es-MX.1+invoice.es-MX.b1"
    assert out["suggestions"][0]["text"].endswith(
        " Sobre la factura: mándame tu RFC y uso de CFDI por aquí y te la envío en 48 horas."
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_pair_of_intents_answers_within_its_marketplace(
    engine: Engine, rules: RuleSet, locale: str
) -> None:
    """Whatever two intents are read, the first suggestion answers both, and every reply obeys the
    marketplace (the join checks the length itself): the full replies where they fit together, else
    the two brief answers; with the buyer's name, without it and with a long one. How often the full
    replies fit together on Mercado Libre is what the README says."""
    market = marketplace_for(rules.policies, SITES[locale])
    answerable = [i for i in rules.intents if i not in UNANSWERED]
    reading = engine.recognise("?", SITES[locale])
    names = [NAME, {}, {"buyer_name": "Maria Fernanda Gonzalez Rodriguez"}]
    full = pairs = 0
    for main in answerable:
        for second in answerable:
            if second == main:
                continue
            for context in names:
                read = Read(
                    dataclasses.replace(reading, intents=[IntentScore(main, 0.9), IntentScore(second, 0.8)]),
                    None,
                )
                out = engine.analyze("?", SITES[locale], None, context, read=read)
                first = out["suggestions"][0]
                assert first["answers"] == [main, second], (main, second, first["template_id"])
                assert all(s["policy"]["ok"] for s in out["suggestions"]), (main, second, out["suggestions"])
                if context is NAME:
                    full, pairs = full + (".b" not in first["template_id"].split("+")[0]), pairs + 1
    assert market is not None and pairs == 19 * 18
    if market.max_length is None:
        assert full == pairs
    else:
        readme = " ".join((paths.REPO / "README.md").read_text(encoding="utf-8").split())
        assert f"{round(100 * full / pairs)} % in {locale}" in readme, full


@pytest.mark.parametrize(
    ("page_gave", "greeted"),
    [
        ("Kevin R.", "Kevin R."),
        ("MARIA LOPEZ", "Maria Lopez"),
        ("maría josé", "María José"),
        ("Jean-Luc O'Neil", "Jean-Luc O'Neil"),
        ("McDonald", "McDonald"),
        ("MARIANAG_1988", None),  # Mercado Libre nicknames
        ("COMPRADOR_XYZ", None),
        ("ana.paula_sp", None),  # Shopee user names
        ("user123", None),
        ("@maria", None),
        ("<img src=x>", None),
        ("\u202eMARIA", None),  # a bidi override reorders what follows it
    ],
)
def test_a_nickname_is_no_name_to_greet(rules: RuleSet, page_gave: str, greeted: str | None) -> None:
    assert greeting_name(page_gave) == greeted
    [reply] = render(rules, "order_status", "es-MX", {"buyer_name": page_gave, "order_id": "2000001"})
    opening = f"Hola {greeted}," if greeted else "Hola,"
    assert reply.text.startswith(f"{opening} tu pedido 2000001")
