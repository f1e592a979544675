import re
import shutil
from pathlib import Path

import pytest

from proxy import paths
from proxy.nlp.corpus import CorpusError, read_corpus
from proxy.rules import loader
from proxy.rules.loader import RulesError, load_rules, placeholder_names
from proxy.rules.schema import BUILTIN_INTENTS, LOCALES


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(paths.RULES_DIR, dest)
    return dest


def problems_of(root: Path) -> list[str]:
    with pytest.raises(RulesError) as info:
        load_rules(root)
    return info.value.problems


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def test_shipped_rules_are_complete(rules) -> None:
    assert sorted(rules.intents) == sorted(BUILTIN_INTENTS)
    for intent in rules.intents.values():
        assert sorted(intent.templates) == sorted(LOCALES)
        assert all(1 <= len(v) <= 3 for v in intent.templates.values())


# Words of one country's tax, identity or consumer-protection system: a reply in another locale that
# asks for them asks a buyer for a document they lack (an RFC from a Colombian, a CPF from an American).
COUNTRY_WORDS = {
    "es-MX": ("RFC", "CFDI", "CURP", "SAT", "Profeco", "OXXO", "meses sin intereses"),
    "es-AR": ("CUIT", "CUIL", "AFIP", "ARCA"),
    "es-CO": ("NIT", "DIAN", "SIC", "Efecty"),
    "es-CL": ("RUT", "SII", "SERNAC", "boleta"),
    "es-ES": ("NIF", "OCU"),
    "pt-BR": ("CPF", "CNPJ", "Procon", "nota fiscal", "Pix", "Correios"),
}


def test_a_reply_asks_only_for_its_own_country_s_documents(rules) -> None:
    words = {loc: re.compile(rf"\b(?:{'|'.join(ws)})\b") for loc, ws in COUNTRY_WORDS.items()}
    found = [
        (intent.id, locale, other, m.group(0))
        for intent in rules.intents.values()
        for locale, templates in [*intent.templates.items(), *intent.brief.items()]
        for template in templates
        for other, pattern in words.items()
        if other != locale and (m := pattern.search(template.text))
    ]
    assert found == []


def test_a_gloss_states_every_value_and_number_its_reply_does(rules) -> None:
    """The agent reads the reply through its gloss: every placeholder (order id, tracking code, days) and
    every number the reply states is in the gloss, and the gloss states none the reply does not."""

    def said(text: str) -> set[str]:
        names = set(placeholder_names(text)) - {"buyer_name"}
        return names | set(re.findall(r"\d+", re.sub(r"\{\w+\}", "", text)))

    found = [
        (intent.id, locale, sorted(said(t.text) ^ said(t.gloss_zh)))
        for intent in rules.intents.values()
        for locale, templates in [*intent.templates.items(), *intent.brief.items()]
        for t in templates
        if said(t.text) != said(t.gloss_zh)
    ]
    found += [
        ("off-hours", locale, sorted(said(a.text) ^ said(a.gloss_zh)))
        for locale, a in rules.hours.acknowledgement.items()
        if said(a.text) != said(a.gloss_zh)
    ]
    assert found == []


# How a reply speaks to a Spanish-speaking buyer as "usted" (pronoun, clitic "le", possessive "su", or a
# clitic on an infinitive: "darle", "ayudarle"). The shipped replies all say "tú" ("vos" in Argentina),
# and one reply can follow another in a suggestion (a reply to two intents) or in the thread.
USTED = re.compile(r"\b(?:usted|le|su|sus|\w+(?:ar|er|ir)le)\b", re.IGNORECASE)


def test_spanish_replies_address_the_buyer_one_way(rules) -> None:
    replies = [
        (intent.id, locale, template.text)
        for intent in rules.intents.values()
        for locale, templates in [*intent.templates.items(), *intent.brief.items()]
        for template in templates
    ]
    replies += [("off-hours", locale, ack.text) for locale, ack in rules.hours.acknowledgement.items()]
    found = [
        (what, locale, m.group(0))
        for what, locale, text in replies
        if locale.startswith("es-") and (m := USTED.search(text))
    ]
    assert found == []


def test_unknown_key_names_file_and_line(rules_copy: Path) -> None:
    path = rules_copy / "intents" / "refund.yaml"
    path.write_text(path.read_text().replace("handoff: true", "handoff: true\nhandof: false"))
    line = path.read_text().splitlines().index("handof: false") + 1
    assert problems_of(rules_copy) == [f"{path}:{line}: handof: Extra inputs are not permitted"]


def test_unknown_placeholder(rules_copy: Path) -> None:
    path = rules_copy / "intents" / "thanks.yaml"
    path.write_text(path.read_text().replace("{buyer_name}", "{coupon_code}", 1))
    [problem] = problems_of(rules_copy)
    line = line_of(path, "{coupon_code}")
    assert problem.startswith(
        f"{path}:{line}: templates.es-MX.0: unknown placeholder {{coupon_code}} (allowed: "
    )


def test_a_brief_answer_is_checked_as_a_template_is(rules_copy: Path) -> None:
    path = rules_copy / "intents" / "invoice.yaml"
    brief = "brief:\n  es-MX:\n  - text: Y la factura, en {invoce_hours} horas.\n    gloss_zh: 发票\n"
    path.write_text(path.read_text().split("\nbrief:")[0] + "\n" + brief)  # in place of the shipped ones
    [problem] = problems_of(rules_copy)
    line = line_of(path, "{invoce_hours}")
    assert problem.startswith(f"{path}:{line}: brief.es-MX.0: unknown placeholder {{invoce_hours}} (allowed:")
    path.write_text(path.read_text().replace("  es-MX:\n  - text: Y", "  es-XX:\n  - text: Y"))
    assert problems_of(rules_copy)[0] == (
        f"{path}:{line}: brief: unknown locale 'es-XX' (one of {', '.join(LOCALES)})"
    )


def test_unknown_or_only_conditional_when(rules_copy: Path) -> None:
    path = rules_copy / "intents" / "variant.yaml"
    path.write_text(path.read_text().replace("when: [option]", "when: [colour]", 1))
    [problem] = problems_of(rules_copy)
    line = line_of(path, "when: [colour]")
    assert problem.startswith(f"{path}:{line}: templates.es-MX.1: unknown placeholder {{colour}} (allowed: ")
    path = rules_copy / "intents" / "greeting.yaml"
    path.write_text(
        path.read_text().replace("  es-CL:\n  - text:", "  es-CL:\n  - when: [size]\n    text:", 1)
    )
    line = line_of(path, "  es-CL:") + 1
    assert problems_of(rules_copy)[:1] == [
        f"{path}:{line}: templates.es-CL: every variant has `when`; add one for when nothing is known"
    ]


def test_facts_need_a_size_word_per_locale(rules_copy: Path) -> None:
    path = rules_copy / "facts.yaml"
    path.write_text(path.read_text().replace("  es-CL: talla\n", ""))
    [problem] = problems_of(rules_copy)
    assert problem.endswith("size_word: Value error, add the word for a size in es-CL")


def test_missing_locale(rules_copy: Path) -> None:
    path = rules_copy / "intents" / "greeting.yaml"
    text = path.read_text()
    start = text.index("  es-CL:")
    end = text.index("  es-ES:")
    path.write_text(text[:start] + text[end:])
    line = line_of(path, "templates:") + 1
    assert problems_of(rules_copy) == [
        f"{path}:{line}: templates: locale es-CL has no template (add 1 to 3 variants)"
    ]


def test_broken_yaml(rules_copy: Path) -> None:
    path = rules_copy / "store.yaml"
    path.write_text("store_name: [unclosed\nreturn_days: 30\n")
    [problem] = problems_of(rules_copy)
    assert problem == f"{path}:2: not valid YAML (did not find expected ',' or ']')"


def test_wrong_type_has_line(rules_copy: Path) -> None:
    path = rules_copy / "store.yaml"
    path.write_text(path.read_text().replace("return_days: 30", "return_days: thirty"))
    [problem] = problems_of(rules_copy)
    assert problem.startswith(f"{path}:3: return_days: Input should be a valid integer")


def test_id_must_match_file(rules_copy: Path) -> None:
    path = rules_copy / "intents" / "other.yaml"
    path.write_text(path.read_text().replace("id: other", "id: others"))
    line = line_of(path, "id: others")
    assert line == 2  # the first line is a comment
    assert problems_of(rules_copy) == [f"{path}:{line}: id 'others' must match the file name 'other'"]


def test_a_bad_opening_day_names_its_own_line(rules_copy: Path) -> None:
    path = rules_copy / "hours.yaml"
    path.write_text(path.read_text().replace('sat: "10:00-14:00"', 'sat: "10-14"'))
    line = line_of(path, 'sat: "10-14"')
    assert problems_of(rules_copy) == [
        f"{path}:{line}: opening.sat: Value error, write HH:MM-HH:MM or closed, not '10-14'"
    ]


def test_missing_builtin_intent(rules_copy: Path) -> None:
    (rules_copy / "intents" / "invoice.yaml").unlink()
    assert problems_of(rules_copy) == [f"{rules_copy / 'intents'}: built-in intents missing: invoice"]


def test_unknown_intent_in_corpus(tmp_path: Path) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "refunds.txt").write_text("quiero mi dinero\n")
    with pytest.raises(CorpusError, match="'refunds' is not an intent defined in rules/intents/"):
        read_corpus(tmp_path, BUILTIN_INTENTS)


def test_unknown_second_intent_in_corpus(tmp_path: Path) -> None:
    (tmp_path / "pt").mkdir()
    (tmp_path / "pt" / "refund.txt").write_text("ok\ncadê meu estorno >> refnd\n")
    with pytest.raises(CorpusError, match=r"refund.txt:2: unknown second intent 'refnd'"):
        read_corpus(tmp_path, BUILTIN_INTENTS)


def test_wrappers_need_openers_and_sign_offs_per_language(rules_copy: Path) -> None:
    path = rules_copy / "wrappers.yaml"
    lines = path.read_text().splitlines()
    start = lines.index("pt:") + 1
    end = lines.index("en:")
    path.write_text("\n".join([*lines[:start], "  open: [oi]", "  close: []", *lines[end:]]) + "\n")
    assert problems_of(rules_copy) == [
        f"{path}:{start + 2}: pt.close: List should have at least 1 item after validation, not 0"
    ]


def test_valid_rules_are_not_parsed_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Line numbers are looked for only when there is a problem: composing every intent file again for each
    of its 700 template fields was most of the server's rules load (0.16 s of its start-up)."""

    def compose(*args: object, **kwargs: object) -> None:
        raise AssertionError("yaml.compose called for valid rules")

    monkeypatch.setattr(loader.yaml, "compose", compose)
    assert len(load_rules(paths.RULES_DIR).intents) >= len(BUILTIN_INTENTS)
