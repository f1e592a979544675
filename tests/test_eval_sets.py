"""The evaluation sets and pieces are frozen: their bytes are pinned and no training line comes near them."""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from proxy import paths
from proxy.rules.loader import RuleSet

EVAL = paths.REPO / "eval"
INDEPENDENT = EVAL / "independent"
FROZEN = {  # every file that measures the model, by its path under eval/ (each folder's README says why)
    "independent/chat.jsonl": "493e45560b0ac2ef45fdee0a7edbf56c4caabae58e65e6c0b8220e021649f1e6",
    "independent/email.jsonl": "1a7718e84becd6d15b9f4221c9139ffbc975760f2f0ae22fcc973e0c25be342f",
    "independent/mixed.jsonl": "281b86bcac6ae697a03f41bea06a27c884d70082cac0731099fda6e2b348d01a",
    "independent/review.jsonl": "b306c88823159edfaaa100b8939677cbc946152ef140ce2eec2cd4e366938732",
    "independent/BRIEF.md": "d453dd3495e3a35de2920a57f26a577337a64780fd8e8867110e3088403dea83",
    "slang/slang.jsonl": "710be6da39ff2a99e775b8e989bca37f68ae618eb8c3713f13d39dedbd402959",
    "novice/novice.jsonl": "9e36135f5327041d77c8db2c6b8e41c55edebcbae0a00fa7828b5423c22d4d95",
    "couriers/couriers.jsonl": "50770867ea83576e633d8dfab0419a2abbcade1d796f811d27ce830e460e393a",
    "bundled/bundled.jsonl": "8d53e8f1228c16a16ea3e8f4c24a7fb8b4e3025a7b28a701abfb33a9d89e4332",
    "irony/irony.jsonl": "47e4980b3ec8db7e6b64887e156a6f2c4a3da8360a09242b49f82d22efee3ad6",
    "borderline/borderline.jsonl": "9ba14840d938abbc7ac89d2f1769899c9def58c3da7785c156e5310217cec136",
    "escalation/escalation.jsonl": "e4a522db3851a1eed57672a121c21fad63401bb9631e302202d6300c21a2e12d",
    "tangled/tangled.jsonl": "fae3233aed75c2ba7cc167b9133d3eb6e9336a0b6294b1b81eb832d45d07c44a",
    # a second annotator's labels of six sets' messages (ids and labels only): how far a careful reader lands
    "irony/second-annotator.json": "c01b45d5dbe5bffc18065527a524113bf8d81a911e7ca0821900cafaf3191bbd",
    "borderline/second-annotator.json": "ee4202a36751c4b898f7b64e47a8e2c463b79fcb11508ffabc5a5f6c4d79c5ee",
    "escalation/second-annotator.json": "076c2e99b426c3cab54c6885c434784644a8c0852a1faf1b8d1207993dc4943a",
    "tangled/second-annotator.json": "c8db6fc1d25fa34217bcdd8bf04104384e1bd37853eb0be89b2f69bfa7a24d19",
    "behalf/second-annotator.json": "6a866b2e4b69754b1abedde163d6a7929a2c35135e75c05d28d4ee92f52f7746",
    "category/second-annotator.json": "81b77b8566b1dc574f1e9d201170c0d0b86e3eab1066f83c8e7215bef6fa80e5",
    "wrappers/pieces.json": "585b081566d0a313f241901fc8174810c4ed04326327dfdea9edf22d0e4965b7",
    "wrappers/praise.json": "e7f10335a4f98742fe35f57db01eab3b94d6044477a198537898455fdaeac676",
    "behalf/behalf.jsonl": "a511c51ce0b4d107fb44d0eaea752848c6a972641e752e04102768d87da95285",
    "category/category.jsonl": "56e5ee0993acb8cb5e204924af6e5223ba249c447db8f81093a2995b1edba778",
    "again/again.jsonl": "4289b316abac6215ec97d6261495ece9bc132e3f50e5b9bffb2a9024c92faa12",
    "switch/switch.jsonl": "4a9c9a89881bca3dd6a654e87f106ebcf4c7b4722bedd8b3ee757f2beedaa5ab",
    "verdicts/verdicts.jsonl": "57e0554334acda6b1e4cf4664466f6019192e1fbfab9055d3939664e898e795a",
    "longhaul/longhaul.jsonl": "7261c5dab28868804727d54b9a9fc779e4e0ca312302461c744da5e1a9e1c908",
    # in reserve: not run yet (their READMEs)
    "wholesale/wholesale.jsonl": "79a13d709930f21bc4dca4f37b9fbb4311f8b88c5ad7815880781cb79c4eab59",
    "phonetic/phonetic.jsonl": "42f2d71006f396ab779d19616dcbd72192a8931c37d5e409fd283816c752a94e",
    # real buyers' public reviews (Olist, pt-BR; a clothing store, en), labelled by a helper (its README)
    "real/real.jsonl": "96c3cb0963337776aee436734a5ad85a19f7bc425170c6cb39f0f374521f2f99",
    "real/LABELLING.md": "543cac17fa6c2f5d9607cb6c8ba52887de57fed9b03cf35077061f37c6ff7bc2",
    "real/second-annotator.json": "c9b2067cc992a955b7b792deab17b7986e973d8a4a3d4578cea2b06d5a157e07",
    # a second set of real buyers' public reviews (Olist, pt-BR; Amazon Fine Food, en), in reserve
    "real2/real2.jsonl": "340a2449d3153bbd54ff9b54004fe47d270510a7f10bbd07d3cc45cbf9ea1e8a",
    "real2/LABELLING.md": "543cac17fa6c2f5d9607cb6c8ba52887de57fed9b03cf35077061f37c6ff7bc2",
    "real2/second-annotator.json": "5dce373b6ddfb681b53f3563c9753530d6634504fdd9adf0689a6143b7102bad",
    # run first on 2026-12-08 to judge the second-intent head without synthetic pairs (their READMEs)
    "gifts/gifts.jsonl": "7b675f44671e84779686efe365f07af07af131fbb076a868949bb0551d359736",
    "portunhol/portunhol.jsonl": "87bbebfb2ee009444d9442ea428ab752b1cd9e2bff5efad8c572efffd736e425",
    # a third set of real buyers' public reviews (Olist, pt-BR; Amazon Fine Food, en) and two more authors'
    # sets, collected and written on 2026-12-07 (their READMEs)
    "real3/real3.jsonl": "f42a112aea7ee89ad60b728a495bcd9596f1aad2d5c2e3cfff66166546a8c9ce",
    "real3/LABELLING.md": "543cac17fa6c2f5d9607cb6c8ba52887de57fed9b03cf35077061f37c6ff7bc2",
    "real3/second-annotator.json": "a6d23d07ae82d80b1f0f1c4532e394ab782de2c7d41eb44c477f53ba71984e06",
    "payments/payments.jsonl": "bce54c58f10db093036f54f5dbc19f502ec124518d59896beacf4d8c9e71427a",
    "presale/presale.jsonl": "68e6cb9afaa3a26f1e0c2e1bf49d28b3ec3c51b9880040ef08bf845295f6ebc6",
    # two more authors' sets, written on 2026-12-08, in reserve (their READMEs)
    "aftermonths/aftermonths.jsonl": "093580f06948879ba53c5145cff002d2c9f880d73799f15dd9c28dd5b5ea7965",
    "returns/returns.jsonl": "ad00dd67b06cf99ac29a3a21ea9f25e5c1407050d2d9335afb10777df458bc8a",
    # conversations: the newest message read with its thread (`tests/bench/thread_bench.py`, its README)
    "threads/threads.jsonl": "c2fb532fb99f8da84cacfe783beebf96f947379e9fc5be52adb486ca4ecbfc7e",
    "threads/BRIEF.md": "404f86e284bb9f26f272ace8bf94900bfdbbacb9a5f37605de28dd2f92755736",
    "threads/second-annotator.json": "7d0fde18f3d403455fc61f95cbf77edb64808083b7933004cb05e3e0991f145b",
    "threads2/threads2.jsonl": "8bb91dc3526ce802344e4902f7d8319db4d3b14710af23faafacf09b237c6d43",
    "threads2/BRIEF.md": "75640404de323774fc7c5081532eb04285429b64a5ae7040760b775bbb5b3ed7",
    "threads2/second-annotator.json": "e087b972cdee0619da34483e5efc2be5a469a541b4937b957017cb4dfd1ddb2c",
    "threads3/threads3.jsonl": "a145c24618926a1d2d4ea717327fe39c0e79c511cac8838696fdd87c281e4865",
    "threads3/BRIEF.md": "32f702cffe69d890cdbaf7bc031d7bf22d165c3fb08d6c0a3b70a2e2e175aa12",
    "threads3/second-annotator.json": "add13b827610741871b59f9790956feb17fc1cd91b5e2c0071d5556e77b6fa27",
    "threads4/threads4.jsonl": "ffa2294e985e8b41d615a6acb47e6a6a028c4c91a10acbed0d985f42c425fcaa",
    "threads4/BRIEF.md": "62f497dd97c9b766561c1eecb7607688235d682332cda7a493969513640e11bd",
    "threads4/second-annotator.json": "31d73f69989060acced296247d3b99fb1063a0da58d31aa575ef296acfcb00e5",
    # conversations in reserve, frozen before any run: a fifth author, and a second annotator (not compared)
    "threads5/threads5.jsonl": "f192d7b1ac5d08719b55db49965ae8280f5b3661f9a6572a7fc04aa9da270a05",
    "threads5/BRIEF.md": "25f04c3693924fb78ccd05ec4a9b59113993a4d4bff01bb4c840cc203fbd1e19",
    "threads5/second-annotator.json": "e74d07896a00f26c3fa6d9a29db1c6dac960125820792f1eccdf2b05bdf340d4",
}
# Sets of conversations, not of single messages: `thread_bench.py` reads them, not `intent_bench.py`'s table.
CONVERSATIONS = frozenset({"threads", "threads2", "threads3", "threads4", "threads5"})


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_evaluation_file_is_unchanged(name: str) -> None:
    digest = hashlib.sha256((EVAL / name).read_bytes()).hexdigest()
    assert digest == FROZEN[name], f"eval/{name} changed: it is frozen (see the README beside it)"


SECOND_ANNOTATED = (
    "behalf",
    "borderline",
    "category",
    "escalation",
    "irony",
    "real",
    "real2",
    "real3",
    "tangled",
    "threads",
    "threads2",
    "threads3",
    "threads4",
    "threads5",
)  # sets with a second annotator's labels (`intent_bench.SECOND`)


def test_a_second_annotation_labels_every_message_of_its_set_once(rules: RuleSet) -> None:
    """`second-annotator.json`: another reader's labels, in the taxonomy's terms, of exactly its set's
    messages in their order (the bench compares them with the author's: how far a careful reader lands)."""
    import json

    from proxy.nlp.corpus import read_jsonl

    known = set(rules.intents)
    assert tuple(sorted(p.parent.name for p in EVAL.glob("*/second-annotator.json"))) == SECOND_ANNOTATED
    for name in SECOND_ANNOTATED:
        labels = json.loads((EVAL / name / "second-annotator.json").read_text(encoding="utf-8"))
        ids = [ex.id for path in sorted((EVAL / name).glob("*.jsonl")) for ex in read_jsonl(path)]
        assert [d["id"] for d in labels] == ids, name
        for d in labels:
            assert set(d) == {"id", "intents", "negative"} and isinstance(d["negative"], bool), d["id"]
            intents = d["intents"]
            assert 1 <= len(set(intents)) == len(intents) <= 2 and set(intents) <= known, d["id"]


# Training lines that were in the corpus before a later set was written (the commit that added it) and come
# near one of its messages: buyers' formulas, written twice independently. Any other line near a later set
# fails. The thirteen earlier later sets (fresh ... formal, aftersales, thumbs) were retired into training on
# 2026-12-05: their messages near a set still frozen were left out, so none is listed.
OLDER_THAN = {
    "novice": frozenset(),
    "couriers": frozenset(  # greetings and tracking or invoice formulas, all older
        {
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Buenas, ¿hay alguien por ahi?",
            "Cancel order pls. Found it locally",
            "Does anyone know if the post office is open on Black Friday?",
            "Oi, boa tarde! Tudo bem? Posso tirar uma dúvida?",
            "Olá, posso tirar uma dúvida?",
            "Olá, vocês emitem nota fiscal? Preciso para o reembolso da empresa, sino no compro",
            "a nota fiscal não veio no pacote, podem mandar por email?",
            "can u send me the tracking number pls",
            "can u send the tracking number pls",
            "can you send me the tracking link?",
            "cancel it please found it cheaper locally",
            "could you send me the tracking #?",
            "da pra parcelar em 10x sem juros no cartão?",
            "kkkkk mandei msg errada",
            "mandei mensagem errada desculpa",
            "me manda o código de rastreio pfv",
            "me passa o codigo de rastreio pfv",
            "me passa o código de rastreio pfv",
            "oi tudo bem? vc ta ai?",
            "oi, coloquei o número errado da casa, é 145 e não 154. ainda dá pra corrigir antes de postar?",
            "oi, me passa o código de rastreio pfv",
            "oi, posso tirar uma dúvida?",
            "oi, tudo bem? posso tirar uma dúvida?",
            "vcs emitem nota? preciso pra reembolso da empresa",
        }
    ),
    "bundled": frozenset(  # two greetings and a stock question, all older
        {
            "When's the 64GB version back in stock? Been checking for two weeks.",
            "boa tarde, alguém pode me atender?",
            "oi tudo bem? vc ta ai?",
        }
    ),
    "irony": frozenset(  # greetings, all older
        {
            "Hello? Anyone there?",
            "Hola? Hay alguien?",
            "alguém vivo aí? kkk",
            "hello, anyone there?",
            "hello? anyone there?",
            "hellooo? anyone there",
        }
    ),
    "borderline": frozenset(  # greetings and buyers' formulas, all older
        {
            "!péssimo, não recomendo essa loja. dinheiro jogado fora",
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Hola buenas noches, ¿alguien que me atienda?",
            (
                "I got charged twice for the same order, two $38.99 charges on my card from the same day. "
                "Please refund one of them."
            ),
            (
                "I was charged twice for the 3 pack of air filters, two identical charges of $42.18 on my "
                "statement. Please refund one of them"
            ),
            (
                "Já devolvi o produto dia 3, vcs confirmaram o recebimento e até agora nada do estorno. "
                "Cadê meu dinheiro??"
            ),
            "Oi, me passa o código de rastreio por favor? comprei segunda",
            "Olá, posso tirar uma dúvida?",
            "Tem na versão 220v?",
            "bom dia me passa o código de rastreio por favor ponto",
            "buenas noches, me pueden colaborar?",
            "cancela meu pedido por favor comprei errado",
            "cancela por favor, comprei errado",
            "hola buenas hay alguien",
            "hola buenas tardes, alguien que me atienda?",
            "hola buenas tardes, estan ahi?",
            "hola buenas, alguien que me atienda?",
            (
                "i got charged twice for the same order 2 charges of 34.99 on my statment from the same "
                "day same time i only clicked once i think pls refund one of them"
            ),
            "if it's not shipped by monday i'm cancelling, i need it for a trip >> cancel_order",
            "me manda o código de rastreio pfv",
            "me passa o codigo de rastreio pfv",
            "me passa o código de rastreio pfv",
            "o fone esquerdo não sai som nenhum",
            "o zíper da mochila saiu na minha mão na primeira vez que abri",
            "oi\ncancela por favor\ncomprei duplicado",
            "oi\ntem na versão 220v?",
            "oi, me passa o código de rastreio pfv",
            "oi, posso tirar uma dúvida?",
            "oi, tudo bem? posso tirar uma dúvida?",
            "ola buenas tardes esta alguien?",
            "péssimo, nao comprem. dinheiro jogado fora",
            "quanto fica no pix a vista?",
            "tem na versão 127v?",
            "tem na versão 220v?",
            "tem versao 220v?",
            "vendo bici rodado 29 poco uso, con cambios shimano, interesados al privado",
            "vendo bicicleta rodado 26 casi nueva interesados al privado",
            "¿Cuánto tarda en llegar a Canarias? ¿Y hay que pagar aduana o algún impuesto al recibirlo?",
            "¿Enviáis a Canarias? ¿Se paga aduana o algo al recibirlo? >> customs_tax",
        }
    ),
    "slang": frozenset({"wena wena hay alguien atendiendo?", "eae mano tudo certo?"}),  # slang greetings
    "escalation": frozenset(  # greetings, double charges and buyers' formulas, all older
        {
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Buenas tardes, ¿os puedo hacer una consulta?",
            (
                "Fui cobrado duas vezes no cartão, 2x de R$ 189,90, mas só tem um pedido. "
                "Preciso do estorno de uma"
            ),
            (
                "I was charged twice for the 3 pack of air filters, two identical charges of $42.18 on my "
                "statement. Please refund one of them"
            ),
            "Olá, posso tirar uma dúvida?",
            "box was a bit crushed but everything inside is perfect thanks alot",
            "can i get an itemized invoice with the company name on it? need it for my expense report",
            "cancel it please found it cheaper locally",
            "charged twice for the same order, 2 charges of $34.99. pls refund one >> payment",
            "gente não comprem, qualidade horrível, parece brinquedo de 1 real. dinheiro jogado fora",
            "how much is shiping to florida",
            "my cat walked on the keyboard sorry",
            "oi\ncancela por favor\ncomprei duplicado",
            "oi, posso tirar uma dúvida?",
            "wena wena hay alguien atendiendo?",
        }
    ),
    "tangled": frozenset(  # greetings and a spam line, all older
        {
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Earn $500/day from home!!! DM me for details",
            "Hello? Anyone there?",
            "Oi, boa tarde! tudo bem? alguém aí?",
            "Olá, posso tirar uma dúvida?",
            "hello, anyone there?",
            "hello? anyone there?",
            "hellooo? anyone there",
            "hi\nanyone there?",
            "oi, posso tirar uma dúvida?",
            "olá\nalguém online?\nposso tirar uma dúvida?",
        }
    ),
    "again": frozenset(  # a buyer's formula in a retired set, older
        {
            "Cancel my order. I've asked three times now. Do NOT ship it.",
        }
    ),
    "verdicts": frozenset(  # older training lines: greetings, formulas, a few messages much alike
        {
            "!waste of money, don't buy",
            "Vendedor mal educado. Fiz uma pergunta simples e me responderam com ironia. Nunca mais compro aqui",  # noqa: E501
            "Waste of money. Don't buy.",
            "arrived with a cracked screen. great.",
            "box was a bit crushed but everything inside is perfect thanks alot",
            "buenas, ¿me podéis mandar la factura con mi NIF? es para la empresa",
            "charged twice for one order >> payment",
            "che, cancelame la compra por favor, me equivoqué de modelo",
            "consta entregue e não recebi nada",
            "hey, any tracking number yet? ordered sunday",
            "how much is shipping to alaska?",
            "how much is shipping two alaska",
            "i was charged twice for one order >> payment",
            "is it bpa free?",
            "me manda o código de rastreio pfv",
            "me passa o codigo de rastreio pfv",
            "me passa o código de rastreio pfv",
            "me passa o código de rastreio? não aparece no app",
            "my card was charged but the order says unpaid",
            "oi, coloquei o número errado da casa, é 145 e não 154. ainda dá pra corrigir antes de postar?",
            "oi, me passa o código de rastreio pfv",
            "parou de funcionar em 2 dias",
            "parou de funcionar em 3 dias",
            "pedi G e veio P",
            "pedi preto, veio azul",
            "pedido marcado como entregue mas não recebi nada",
            "the left earbud has no sound",
            "veio sem o controle remoto, no anuncio dizia que acompanhava",
            "waste of money\ndont buy",
            "waste of money don't buy",
            "waste of money, don't buy",
            "é compatível com meu notebook dell inspiron?",
        }
    ),
    "longhaul": frozenset(  # older training lines: greetings, formulas, a few messages much alike
        {
            "Boa noite, o app mostra que o pedido foi entregue ontem às 19h, mas não recebi nada. Moro em apartamento e a portaria não tem registro. Podem verificar com a transportadora, por favor?",  # noqa: E501
            "Hola buenas noches, ¿alguien que me atienda?",
            "Me llegó un correo de DHL diciendo que tengo que pagar $612 de impuestos de importación para que me entreguen el perfume. En la página decía que el precio ya incluía todo. ¿Eso lo tengo que pagar yo o ustedes?",  # noqa: E501
            "O código de rastreio não funciona no site dos Correios, aparece 'objeto não encontrado'. Comprei anteontem. Vocês me mandaram o código certo?",  # noqa: E501
            "Oi, boa tarde! tudo bem? alguém aí?",
            "Saw this same one for $10 less on another site. Any chance you'd match it?",
            "boa tarde, alguém pode me ajudar?",
            "hola buenas tardes, alguien que me atienda?",
            "hola buenas, alguien que me atienda?",
            "hola perdón me equivoqué de chat, era para otro vendedor",
            "oi, alguém pode me atender?",
            "olá, alguém disponível pra me ajudar?",
        }
    ),
    "wholesale": frozenset(  # older training lines: greetings, formulas, a few messages much alike
        {
            "Oi, boa tarde! tudo bem? alguém aí?",
            "Quero cancelar. Vcs demoraram demais pra responder minhas perguntas e achei em outro lugar",
            "frete grátis acima de quanto?",
            "o frete e gratis asima de quanto?",
            "tem frete gratis acima de quanto?",
            "what's your best price for 10 units?",
            "what's your best price?",
        }
    ),
    "gifts": frozenset(  # older training lines: greetings, formulas, a few messages much alike
        {
            "O código de rastreio não funciona no site dos Correios, aparece 'objeto não encontrado'. Comprei anteontem. Vocês me mandaram o código certo?",  # noqa: E501
            "hola buenas tardes, alguien que me atienda?",
            "hola buenas tardes, estan ahi?",
            "holaaa, una pregunta rápida",
            "ola buenas tardes esta alguien?",
        }
    ),
    "portunhol": frozenset(  # older training lines: greetings, formulas, a few messages much alike
        {
            "I got charged twice for the same order, two $38.99 charges on my card from the same day. Please refund one of them.",  # noqa: E501
            "I was charged twice for the 3 pack of air filters, two identical charges of $42.18 on my statement. Please refund one of them",  # noqa: E501
            "I was charged twice for the same order, $64.99 x2, just saw it on my bank app. please refund one of them",  # noqa: E501
            "Necesito la factura electrónica a nombre de la empresa, NIT 900.555.321-4, para legalizar el gasto. ¿Me la pueden enviar al correo registrado?",  # noqa: E501
            "Need to change my shipping address, I just moved. New one is 418 Maple Ridge Dr, Apt 3, Columbus OH. Order hasn't shipped yet",  # noqa: E501
            "asdf sorry kid grabbed my phone",
            "asdfjkl sorry my toddler grabbed the phone",
            "charged twice for the same order, 2 charges of $34.99. pls refund one >> payment",
            "hola buenas tardes, estan ahi?",
            "kkkkkk errei o chat, desculpa",
            "me equivoque en el numero de depto, puse 1204 y es 1402!! alcanzan a corregirlo antes de que salga?",  # noqa: E501
            "o perfume é original ou contratipo?",
            "ola buenas tardes esta alguien?",
            "se puede pagar con trasferencia? no tengo tarjeta de credito",
            "sorry my kid grabbed my phone",
            "tem pronta entrega? se eu comprar hj chega até sexta em campinas?",
            "wena wena hay alguien atendiendo?",
        }
    ),
    "payments": frozenset(  # older training lines: greetings, paying and haggling formulas, invoices
        {
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Oi, boa tarde! Tudo bem? Posso tirar uma dúvida?",
            "Olá, posso tirar uma dúvida?",
            "ainda tem? se tiver compro agora",
            "bom diaa, tem alguém on?",
            "cancela meu pedido por favor comprei errado",
            "hi\ndo you have this in navy?",
            "me lo deja en 25 lucas? pago al tiro por transferencia",
            "oi, posso tirar uma dúvida?",
            "oi, tudo bem? posso tirar uma dúvida?",
            "po, ¿me lo dejai en 35 lucas? pago al tiro",
            "posso pagar metade no pix e metade no cartao?",
            "se puede pagar en efectivo?",
            "vcs emitem nota? preciso pra reembolso da empresa",
        }
    ),
    "aftermonths": frozenset(),
    "returns": frozenset(  # older training lines: greetings, formulas, a few messages much alike
        {
            "!waste of money, don't buy",
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Buenas, ¿hay alguien por ahi?",
            "Consta como entregue mas não recebi nada. Moro em apartamento e a portaria não tem nenhum registro. O que eu faço?",  # noqa: E501
            "Hola buenas, ¿hay alguien por ahí?",
            "I got charged twice for the same order, two $38.99 charges on my card from the same day. Please refund one of them.",  # noqa: E501
            "I was charged twice for the same order, $64.99 x2, just saw it on my bank app. please refund one of them",  # noqa: E501
            "Olá, posso tirar uma dúvida?",
            "Waste of money. Don't buy.",
            "can i pay with pay pal or klarna",
            "desconto no pix?",
            "hacen envíos a San Andrés? cuánto se demora y cuánto vale? y se puede pagar contraentrega?",
            "hello, can i ask you something?",
            "hi, can i ask you something",
            "how do i conect it to the app, it keeps saying device not found",
            "kkkkk mandei msg errada",
            "mandei mensagem errada desculpa",
            "meu pedido já foi enviado?",
            "oi, posso tirar uma dúvida?",
            "tem pra pronta entrega? preciso pra sábado",
            "tem pronta entrega? preciso até sábado",
            "tem pronta entrega? preciso pra essa semana",
            "waste of money don't buy",
            "waste of money, don't buy",
            "waste of money. never again.",
            "what's the difference between this and the pro version?",
            "¿Cuánto tarda en llegar a Canarias? ¿Y hay que pagar aduana o algún impuesto al recibirlo?",
        }
    ),
    "presale": frozenset(  # older training lines: greetings and pre-sale formulas, a few questions much alike
        {
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Boa tarde! Esse ventilador tem na versão 220v? Aqui em casa é tudo 220",
            "Buenas noches, ¿está disponible el vendedor para una consulta?",
            "Do u ship to APO/FPO addresses? My husband is deployed and I want to send him one for his birthday. How long does that usually take?",  # noqa: E501
            "Do you ship to APO addresses? My husband is deployed and I want to send his Father's Day gift",
            "Do you ship to APO/FPO addresses? My brother is stationed overseas and I want to send him one of these for his birthday in May. How long does that usually take?",  # noqa: E501
            "Does this come in a left-handed version?",
            "Faz por quanto no PIX? Se fizer R$ 350 eu fecho agora",
            "Faz por quanto no pix? Se fizer 280 eu compro agora",
            "Hola buenas, ¿hay alguien por ahí?",
            "Hola, se puede pagar en 6 cuotas sin interés con la Naranja? En la publicación dice solo 3",
            "Hola, ¿hay alguien?",
            "Hola? Hay alguien?",
            "Oi, boa tarde! Tudo bem? Posso tirar uma dúvida?",
            "Vcs emitem nota fiscal com CNPJ? Preciso pra prestação de contas",
            "Vocês emitem nota fiscal com CNPJ? É para a minha empresa",
            "bom dia me passa o código de rastreio por favor ponto",
            "che, ¿me hacés factura A? soy responsable inscripto, te paso el CUIT",
            "che, ¿se puede pagar en 6 cuotas sin interés con la Naranja?",
            "como faço pra parear o fone com o notebook? no celular foi de boa mas no note não aparece",
            "cuando vuelve a aver stock de la talla 38",
            "da pra parcelar em 10x sem juros no cartão?",
            "faz por quanto no pix? se fizer 10% eu levo 2",
            "hola\nhay alguien?",
            "hola buenas hay alguien",
            "hola, hay alguien?",
            "me manda o código de rastreio pfv",
            "me passa o codigo de rastreio pfv",
            "me passa o código de rastreio pfv",
            "oi, me passa o código de rastreio pfv",
            "oi, tudo bem? posso tirar uma dúvida?",
            "qual o desconto à vista no pix? e no cartão parcela em quantas vezes? >> payment",
            "vem com carregador na caixa ou só o cabo?",
        }
    ),
    "phonetic": frozenset(  # older training lines: greetings, formulas, a few messages much alike
        {
            "!waste of money, don't buy",
            "Waste of money. Don't buy.",
            "can i get the tracking number pls",
            "can u send me the tracking number pls",
            "can u send the tracking number pls",
            "can you send me the tracking link?",
            "cancela meu pedido por favor comprei errado",
            "chegou certinho, obrigada!!",
            "chegou certinho, obrigado!",
            "got it\nworks great\nthanks!",
            "got it today works great thank you!!",
            "got it today works perfect ty ty",
            "me equivoque en el numero de depto, puse 1204 y es 1402!! alcanzan a corregirlo antes de que salga?",  # noqa: E501
            "me haces descuento si compro 3?",
            "me passa o código de rastreio pf, e a nota fiscal tb >> invoice",
            "necesito voleta o factura es para rendirla en la pega",
            "não gostei da cor pessoalmente, quero devolver. dá?",
            "oi boa tarde tudo bem com vcs?",
            "parcela em quantas vezes sem juros no cartao?",
            "pls cancel my order, ordered the wrong size",
            "qual tamanho pra quem veste 42 de calça? tenho 1,65 e uns 70kg",
            "quero cancelar o pedido pfvvv",
            "se eu levar 5 faz um desconto? revendo aqui na minha cidade e se o preço for bom pego mais todo mês",  # noqa: E501
            "tem garantia? quanto tempo?",
            "tem na cor preta?",
            "vcs emitem nota com CNPJ? é pra empresa",
            "vcs emitem nota? preciso pra empresa, com CNPJ",
            "vem com garantia? quanto tempo?",
            "vendo bici rodado 29 poco uso, con cambios shimano, interesados al privado",
            "vendo bicicleta rodado 26 casi nueva interesados al privado",
            "waste of money\ndont buy",
            "waste of money don't buy",
            "waste of money, don't buy",
            "what size should i get? i'm 5'10 and 170 lbs",
            "what size should i get? i'm 5'8 and 160 lbs",
            "¿me haces descuento si compro 3?",
        }
    ),
    "real": frozenset({"chegou antes do prazo, super recomendo a loja"}),  # a formula in the seed corpus
    "real2": frozenset({"chegou antes do prazo"}),  # a formula in the seed corpus
    "real3": frozenset({"chegou antes do prazo, muito obrigado"}),  # a buyer's formula, older
    # a conversation's newest message is mostly a short chat formula: these older corpus lines, written by
    # other authors before the set, are such formulas too
    "threads": frozenset(
        {
            "Boa noite, posso fazer uma pergunta?",
            "Bom dia! Posso fazer uma pergunta?",
            "boa tarde, alguém pode me ajudar?",
            "bueno, ¿y si llevo 3?",
            "can you do $40?",
            "cuando lo despachan?",
            "cuando me lo despachas?",
            "cuanto me cobran de envio a merida?",
            "do i pay for return shipping?",
            "do you have a matte version?",
            "do you have the 220v version?",
            "do you have the 256gb version?",
            "el colchon viene enrollado?",
            "faz por quanto no pix?",
            "hi\ndo you ship to Alaska?",
            "hola, compre ayer, cuando lo envian?",
            "how long to ship to anchorage alaska?",
            "how much to ship to alaska?",
            "if i order today will it arrive by friday?",
            "is there a manual in english?",
            "llegó perfecto, gracias!!",
            "llegó todo perfecto, mil gracias",
            "me avisa quando postar",
            "me avisas cuando salga?",
            "oi\nfaz por quanto no pix?",
            "oi boa tarde tudo bem com vcs?",
            "oi, alguém pode me atender?",
            "parcela no cartão?",
            "posso fazer uma pergunta?",
            "puedo cambiar la direccion de envio?",
            "se eu levar 3 faz desconto?",
            "se levar 4 sai quanto?",
            "tenes el de 1 litro?",
            "thank you so much",
            "tienen la de 5 litros?",
            "tienes el modelo de 2 puertas??",
            "vcs emitem nota?",
            "who pays return shipping?",
            "ya me llego, todo perfecto, muchas gracias!",
            "ya me llegó\ntodo perfecto\nmuchas gracias!!\n🙌",
            "¿qué talla me recomiendas? mido 1.70 y peso 68",
        }
    ),
    "switch": frozenset(  # greetings and buyers' formulas, all older
        {
            "Hello? Anyone there?",
            "Hola buenas noches, ¿alguien que me atienda?",
            "Hola!! hay alguien ahí??",
            "Olá, vocês emitem nota fiscal? Preciso para o reembolso da empresa, sino no compro",
            "hello, anyone there?",
            "hello? anyone there?",
            "hellooo? anyone there",
            "hola buenas tardes, alguien que me atienda?",
            "hola buenas, alguien que me atienda?",
            "posso adicionar mais uma unidade no mesmo pedido? pra não pagar frete de novo",
            "tudo certo com o pedido, obrigado 🙏",
        }
    ),
    "behalf": frozenset(  # a listing question in dev, older
        {
            "Do you ship to APO addresses? My husband is stationed overseas.",
        }
    ),
    "category": frozenset(  # greetings, spam and buyers' formulas, all older
        {
            "Boa noite! Posso tirar uma dúvida?",
            "Boa noite, posso tirar uma dúvida?",
            "Buenas tardes, ¿se encuentra alguien? tengo una duda",
            "Oi, boa tarde! Tudo bem? Posso tirar uma dúvida?",
            "Olá, posso tirar uma dúvida?",
            "Saw this same one for $10 less on another site. Any chance you'd match it?",
            "Waste of money. Cheap plastic, feels like a dollar store toy. Don't buy.",
            "boa tarde, alguém disponível?",
            "check out my channel for honest gadget reviews, link in profile",
            "como faço pra parear o fone com o notebook? no celular foi de boa mas no note não aparece",
            "lol 'premium quality'. sure. never again.",
            "oi, posso tirar uma dúvida?",
            "oi, tudo bem? posso tirar uma dúvida?",
            "opa, bom dia! tudo joia?",
            "si te compro 2 me hacés un precio? te pago por transferencia así te ahorrás la comisión",
            "wrong chat sorry, meant to text my landlord lol",
        }
    ),
    # the same for the second set of conversations (listed by the check, not read)
    "threads2": frozenset(
        {
            "2 for 50?",
            "any discount if i buy 2?",
            "any discount if i buy 3?",
            "can i pay with a debit card?",
            "can i pay with a gift card?",
            "do you have it in black?",
            "do you have it in navy?",
            "faz por 80?",
            "hi\nany discount if i buy 4?",
            "hola\nlo tienes en negro?",
            "jaja perdón me equivoqué de chat",
            "llegó perfecto, gracias!!",
            "llegó todo perfecto, mil gracias",
            "lo tienes en negro?",
            "manda o rastreio por favor",
            "me faz 2 por 100?",
            "me lo dejas en 1500?",
            "para cuando estaria llegando?",
            "para cuando llega?",
            "perdon me equivoque de chat",
            "perdon, me equivoque de chat",
            "perdona me he equivocado de chat",
            "puedo pagar con transferencia?",
            "q medidas tiene? largo ancho alto",
            "se puede pagar con transferencia?",
            "si llevo 2 me hacés precio?",
            "si no llega el viernes cancelo",
            "si no llega el viernes cancelo >> cancel_order",
            "tem de 128?",
            "tem na cor preta?",
            "tem no preto?",
            "tiene bluetooth 5.0?",
            "when will it be back in stock",
            "when will it be back in stock?",
            "when will this be back in stock?",
            "will i have to pay import duties?",
            "ya me llego, todo perfecto, muchas gracias!",
            "ya me llegó\ntodo perfecto\nmuchas gracias!!\n🙌",
            "¿Se puede en 6 cuotas sin interés con Naranja?",
        }
    ),
    # the same for the third (listed by the check, not read)
    "threads3": frozenset(
        {
            "Hi, can I ask something about an order?",
            "Tem na versão 220v?",
            "asdf sorry kid grabbed my phone",
            "asdfjkl sorry my toddler grabbed the phone",
            "cual es mi numero de seguimiento?",
            "cuanto sale el envio a Mar del Plata?",
            "cuanto sale el envio a Rosario?",
            "cuanto sale el envio a merida yucatan?",
            "do u have it in pink? 💕",
            "do you have it in black?",
            "do you have it in navy?",
            "do you have it in pink?",
            "do you have it in stock?",
            "does it come with a case?",
            "does it come with the charger?",
            "es de algodon o poliester?",
            "faz por 150 que eu compro agora?",
            "hi, can I ask something?",
            "how much is shipping to alaska?",
            "how much is shipping two alaska",
            "how much to ship to alaska?",
            "if it doesn't ship today i'll cancel",
            "jajaja perdon era para mi hermana",
            "jsjsjs perdon era para mi hermana",
            "lo tienes en negro?",
            "me pasas el codigo de seguimiento?",
            "oi\ntem na versão 220v?",
            "ola buenas tardes esta alguien?",
            "quanto tempo demora pra chegar?",
            "si no llega el viernes cancelo",
            "si no llega el viernes cancelo >> cancel_order",
            "sorry my kid grabbed my phone",
            "tem na versão 127v?",
            "tem na versão 220v?",
            "tem versao 220v?",
            "vcs emitem nota fiscal?",
            "vcs emitem nota física?",
            "vcs emitem nota?",
            "vocês emitem nota fiscal?",
        }
    ),
    # the same for the fourth (listed by the check, not read)
    "threads4": frozenset(
        {
            "!ya pasaron 20 dias y nada de mi pedido",
            "cade meu estorno?? devolvi faz 25 dias",
            "cuando me devuelven la plata??",
            "cuanto cuesta el envio?",
            "dá pra parcelar em 10x sem juros?",
            "esta muy caro, en otro lado esta a 200",
            "faz por quanto no pix?",
            "hi\nany discount if i buy 4?",
            "hola buenas tardes, estan ahi?",
            "how long until the refund shows on my card?",
            "it says returned to sender, why?",
            "mds cadê meu estorno???? já faz 15 dias úteis",
            "nao gostei do tecido, quero devolver",
            "no me aparece el seguimiento",
            "oi\nfaz por quanto no pix?",
            "parcela sem juros?",
            "pedido 2000008812345, ja foi postado?",
            "si llevo 2 me hacés precio?",
            "si no llega el viernes cancelo",
            "si no llega el viernes cancelo >> cancel_order",
            "tem tabela de medidas?",
            "tenho que pagar imposto?",
            "vcs conhecem alguem que conserta celular?",
            "vou ter que pagar taxa de importação?",
            "¿Se puede en 6 cuotas sin interés con Naranja?",
            "¿es original o es réplica?",
        }
    ),
    # the same for the fifth (listed by the check, not read)
    "threads5": frozenset(
        {
            "Buenas tardes, ¿os puedo hacer una consulta?",
            "Hola!! hay alguien ahí??",
            "Hola, ¿hay alguien?",
            "Hola? Hay alguien?",
            "Tem na versão 220v?",
            "any discount if i buy 2?",
            "any discount if i buy 3?",
            "che, ¿hay alguien?",
            "consta entregue e não recebi nada",
            "cuanto cuesta el envio?",
            "cuanto me cobran de envio a merida?",
            "cuanto sale el envio a Rosario?",
            "cuanto sale el envio a merida yucatan?",
            "do you have this in blue?",
            "hi\nany discount if i buy 4?",
            "hi\ndo you ship to Alaska?",
            "hola\nhay alguien?",
            "hola, hay alguien?",
            "how long to ship to anchorage alaska?",
            "how much to ship to alaska?",
            "i need an invoice with my company name",
            "jaja perdón me equivoqué de chat",
            "nao recebi, quero meu dinheiro de volta",
            "no me gusto como me queda, lo puedo devolver?",
            "no me gusto como queda, lo puedo devolver?",
            "oi\ntem na versão 220v?",
            "pague en oxxo y sigue pendiente",
            "perdon me equivoque de chat",
            "perdon, me equivoque de chat",
            "qual o frente pra manaus",
            "qual o frete pra Manaus?",
            "qual o frete pra manaus?",
            "qual tamanho pra quem calsa 40",
            "qual tamanho pra quem calça 38?",
            "se eu levar 3 faz desconto?",
            "se eu levar 5 faz um precinho camarada?",
            "te puedo hacer una consulta?",
            "tem na versão 127v?",
            "tem na versão 220v?",
            "tem versao 220v?",
            "vcs emitem nota?",
            "¿qué talla me recomiendas? mido 1.70 y peso 68",
        }
    ),
}
# Labelled training messages near an independent message: dev's, older than the independent sets.
OLDER_THAN_INDEPENDENT = frozenset({"hellooo? anyone there"})
# The sets run, read and retired into training (`corpus/labelled/<name>.jsonl`); their folders keep their
# READMEs and runs, and hold no evaluation file.
RETIRED = frozenset(
    ("fresh", "posts", "day", "implicit", "season", "crossing")
    + ("dictated", "pasted", "review", "bursts", "formal")
    + ("aftersales", "thumbs")
)


def later_sets() -> set[str]:
    """The folders of the sets written after the model work began and not retired: looked at or in reserve."""
    return {p.name for p in EVAL.iterdir() if p.is_dir()} - {INDEPENDENT.name, "wrappers"} - RETIRED


def near(texts: list[str], messages: list[str]) -> set[int]:
    """The indices of the texts that copy or paraphrase one of the messages: a whole-text fuzzy ratio of 80 or
    more, or, for a text of six words or more, a partial ratio of 90 or more inside a message at most 1.6
    times its length (a common phrase inside a long message is not a copy). All pairs at once
    (`rapidfuzz.process.cdist` on every core): the partial ratios only for texts of similar length, a block
    of texts at a time against the messages in its length range."""
    from rapidfuzz import fuzz, process

    if not texts or not messages:
        return set()
    lengths, sizes = np.array([len(t) for t in texts]), np.array([len(m) for m in messages])
    found = (process.cdist(texts, messages, scorer=fuzz.ratio, score_cutoff=80, workers=-1) > 0).any(1)
    by_size = np.argsort(sizes, kind="stable")
    rows = np.flatnonzero(~found & np.array([len(t.split()) >= 6 for t in texts]))
    rows = rows[np.argsort(lengths[rows], kind="stable")]
    sorted_sizes = sizes[by_size]
    for block in np.array_split(rows, max(1, len(rows) // 64)):
        if not len(block):
            continue
        a = np.searchsorted(sorted_sizes, lengths[block].min(), "left")
        b = np.searchsorted(sorted_sizes, 1.6 * lengths[block].max(), "right")
        columns = by_size[a:b]
        if not len(columns):
            continue
        scores = process.cdist(
            [texts[i] for i in block],
            [messages[j] for j in columns],
            scorer=fuzz.partial_ratio,
            score_cutoff=90,
            workers=-1,
        )
        fits = (lengths[block][:, None] <= sizes[columns]) & (sizes[columns] <= 1.6 * lengths[block][:, None])
        found[block] = ((scores > 0) & fits).any(1)
    return {int(i) for i in np.flatnonzero(found)}


def test_near_finds_copies_and_paraphrases_not_common_phrases() -> None:
    message = "hola ya me llego el pedido pero vino roto el cargador que hago"  # 62 characters
    texts = [
        "hola ya me llego el pedido pero vino roto el cargador que hago",  # a copy
        "hola ya me llego el pedido pero vino roto el cargador, que hago?",  # a paraphrase (ratio >= 80)
        "ya me llego el pedido pero vino roto el",  # inside it, 39 characters: ratio 77, partial 100
        "pero vino roto el cargador que hago",  # inside it, but 35 characters: a phrase of a longer message
        "el pedido pero vino roto",  # five words: too short to count inside a message
        "el pedido llego bien y funciona de maravilla",  # unrelated
    ]
    assert near(texts, [message, "gracias por todo, llego rapido"]) == {0, 1, 2}
    assert near([], [message]) == near(texts, []) == set()


def test_every_later_set_is_checked_for_nearby_corpus_lines() -> None:
    assert later_sets() == set(OLDER_THAN)


def test_a_retired_set_is_training_data_not_an_evaluation_file() -> None:
    for name in sorted(RETIRED):
        assert [p.name for p in (EVAL / name).iterdir()] == ["README.md"], name
        assert (paths.CORPUS_DIR / "labelled" / f"{name}.jsonl").exists(), name


def test_no_corpus_line_copies_an_independent_message() -> None:
    """Training lines must not come near a message of the independent or later sets (only corpus lines are
    named)."""
    from proxy.nlp.corpus import read_jsonl
    from proxy.nlp.normalize import normalize

    def held(files: list[Path]) -> list[str]:
        texts = [normalize(ex.text) for f in files for ex in read_jsonl(f)]
        return [h for h in texts if len(h.split()) >= 5]

    lines: list[tuple[str, str, str]] = []  # (where, line, normalized text)
    for path in sorted(paths.CORPUS_DIR.glob("*/*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = normalize(line.lstrip("!").split(" >> ")[0])
            if not line.startswith("#") and len(text.split()) >= 4:
                lines.append((f"{path.relative_to(paths.CORPUS_DIR)}:{n}", line, text))
    for path in sorted(paths.CORPUS_DIR.glob("labelled/*.jsonl")):  # dev and the retired sets
        for ex in read_jsonl(path):
            if len(normalize(ex.text).split()) >= 4:
                lines.append((f"{path.relative_to(paths.CORPUS_DIR)}:{ex.id}", ex.text, normalize(ex.text)))
    texts = [text for _, _, text in lines]
    found, older = [], set()
    for i in sorted(near(texts, held(sorted(INDEPENDENT.glob("*.jsonl"))))):
        where, line, _ = lines[i]
        if line in OLDER_THAN_INDEPENDENT and where.startswith("labelled/dev.jsonl:"):
            older.add(line)
        else:
            found.append(where)
    assert older == OLDER_THAN_INDEPENDENT
    allowed: dict[str, set[str]] = {key: set() for key in OLDER_THAN}
    for key in OLDER_THAN:
        for i in sorted(near(texts, held(sorted((EVAL / key).glob("*.jsonl"))))):
            where, line, _ = lines[i]
            if line in OLDER_THAN[key]:
                allowed[key].add(line)
            else:
                found.append(f"{where} ({key})")
    assert found == []
    assert allowed == OLDER_THAN  # the lists hold no line that no longer needs it


def test_the_readme_table_has_every_looked_at_set_and_names_the_reserve() -> None:
    """The README's *Accuracy* table is the bench's: a row for the independent sets and for every looked-at
    set (`intent_bench.LATER`), and the sets not run yet named as the reserve; the rest is retired."""
    import importlib.util
    import re

    spec = importlib.util.spec_from_file_location("intent_bench", paths.REPO / "tests/bench/intent_bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    readme = (paths.REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Accuracy, measured where nobody tuned\n")[1].split("\n## ")[0]
    rows = set(re.findall(r"^\| (\w+) \(", section, re.M)) - {"set", "aim"}  # the header, the aims
    assert rows == {INDEPENDENT.name, *bench.LATER}
    reserve = later_sets() - set(bench.LATER) - CONVERSATIONS
    assert len(reserve) >= 2  # the next change is judged on two at least, none of them looked at
    named = set(re.findall(r"`eval/(\w+)/`", section.split("in reserve")[1].split(".")[0]))
    assert named == reserve  # the README's sentence names exactly the sets not run yet
