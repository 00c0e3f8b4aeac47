"""Boilerplate rules on articles written for these tests (no seed text), in four languages."""

from __future__ import annotations

import pytest

from cleaner import clean_text


def verdicts(text: str) -> dict[str, str | None]:
    doc = clean_text(text, model=False, min_words=0)
    return {ln.text.strip(): ln.reason for ln in doc.lines}


EN = """\
Skip to main content
Home > Science > Oceans
Deep-Sea Mining Permits Stall at the UN Seabed Authority

Delegates left Kingston on Friday without agreeing on the rules that would let companies start mining the ocean floor, extending a deadlock that has lasted more than two years.
The next round of talks is scheduled for March, and several countries said they would follow the scientific advice and support a precautionary pause until then.
Her lawyer argued that the copyright on the underwater footage belonged to the research institute, not the broadcaster.
Share this article | Share on Facebook | Share on X
Sign up for our weekly newsletter
You Might Also Like
Coral reefs face a fourth global bleaching event
Why the ocean is getting louder
A new map of the Pacific floor
Back to top
We use cookies to improve your experience. By continuing to use this site, you agree to our use of cookies.
Copyright © 2024 Ocean Wire Media Group. All rights reserved.
"""


def test_english_article_of_another_site() -> None:
    v = verdicts(EN)
    assert v["Skip to main content"] == "nav"
    assert v["Home > Science > Oceans"] == "nav"
    assert v["Share this article | Share on Facebook | Share on X"] == "social"
    assert v["Sign up for our weekly newsletter"] == "social"
    assert v["You Might Also Like"] == "related"
    assert v["Coral reefs face a fourth global bleaching event"] == "related_teaser"
    assert v["A new map of the Pacific floor"] == "related_teaser"
    assert v["Back to top"] == "nav"
    assert v["Copyright © 2024 Ocean Wire Media Group. All rights reserved."] == "copyright"
    assert v["We use cookies to improve your experience. By continuing to use this site, you "
             "agree to our use of cookies."] == "cookie"
    # the title and body sentences that merely mention "next", "follow" or "copyright" stay
    kept = [k for k, r in v.items() if r is None]
    assert kept == [
        "Deep-Sea Mining Permits Stall at the UN Seabed Authority",
        EN.splitlines()[4],
        EN.splitlines()[5],
        EN.splitlines()[6],
    ]


ES = """\
Ir al contenido principal
Inicio » Economía » Vivienda
El precio del alquiler sube por quinto año consecutivo en las grandes ciudades

Los inquilinos de Madrid y Barcelona dedican ya más del cuarenta por ciento de sus ingresos al alquiler, según el último informe del observatorio de vivienda publicado este martes.
El Gobierno prevé aprobar la próxima semana un decreto que limitará las subidas en las zonas tensionadas, una medida que las asociaciones de propietarios consideran insuficiente.

Síguenos en Twitter | Suscríbete a nuestro boletín
Noticias relacionadas
• La compraventa de viviendas cae un 8% en marzo
• Los bancos endurecen las condiciones de las hipotecas
• ¿Comprar o alquilar? Lo que dicen los expertos
Artículo anterior
Volver arriba
Utilizamos cookies propias y de terceros para mejorar nuestros servicios.
© 2025 Diario Ejemplo S.L. Todos los derechos reservados.
"""

DE = """\
Zum Inhalt springen
Startseite > Politik > Europa
Bundestag beschließt neues Klimaschutzgesetz

Der Bundestag hat am Donnerstag mit knapper Mehrheit ein überarbeitetes Klimaschutzgesetz verabschiedet, das die Sektorziele durch ein gemeinsames Budget für alle Bereiche ersetzt.
Kritiker aus der Opposition warnten, das Gesetz schwäche die Verbindlichkeit der Ziele, und kündigten an, die Folgen für den Verkehrssektor genau zu beobachten.

Folgen Sie uns auf Instagram | Newsletter abonnieren
Das könnte Sie auch interessieren
Hitzewelle: Was Städte jetzt tun müssen
Neue Förderung für Wärmepumpen startet im Mai
Nach oben
Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.
© 2025 Beispiel Verlag GmbH. Alle Rechte vorbehalten.
"""

FR = """\
Aller au contenu principal
Accueil > Culture > Cinéma
Le festival de Cannes dévoile une sélection très internationale

La sélection officielle compte cette année vingt-deux films en compétition, dont plusieurs premiers longs métrages venus d'Asie et d'Amérique latine, a annoncé jeudi le délégué général.
Le jury, présidé par une cinéaste italienne, devra départager les films lors de la cérémonie de clôture prévue le dernier samedi du mois, comme le veut la tradition.

Suivez-nous sur Facebook | Abonnez-vous à notre newsletter
À lire aussi
Les films les plus attendus de l'été
Retour sur la Palme d'or de l'an dernier
Article précédent
Retour en haut
Nous utilisons des cookies pour améliorer votre expérience.
© 2025 Exemple Médias. Tous droits réservés.
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ES, {"Ir al contenido principal": "nav", "Inicio » Economía » Vivienda": "nav",
              "Síguenos en Twitter | Suscríbete a nuestro boletín": "social",
              "Noticias relacionadas": "related",
              "• La compraventa de viviendas cae un 8% en marzo": "related_teaser",
              "• ¿Comprar o alquilar? Lo que dicen los expertos": "related_teaser",
              "Artículo anterior": "nav", "Volver arriba": "nav",
              "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.": "cookie",
              "© 2025 Diario Ejemplo S.L. Todos los derechos reservados.": "copyright"}),
        (DE, {"Zum Inhalt springen": "nav", "Startseite > Politik > Europa": "nav",
              "Folgen Sie uns auf Instagram | Newsletter abonnieren": "social",
              "Das könnte Sie auch interessieren": "related",
              "Hitzewelle: Was Städte jetzt tun müssen": "related_teaser",
              "Nach oben": "nav",
              "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.": "cookie",
              "© 2025 Beispiel Verlag GmbH. Alle Rechte vorbehalten.": "copyright"}),
        (FR, {"Aller au contenu principal": "nav", "Accueil > Culture > Cinéma": "nav",
              "Suivez-nous sur Facebook | Abonnez-vous à notre newsletter": "social",
              "À lire aussi": "related",
              "Les films les plus attendus de l'été": "related_teaser",
              "Article précédent": "nav", "Retour en haut": "nav",
              "Nous utilisons des cookies pour améliorer votre expérience.": "cookie",
              "© 2025 Exemple Médias. Tous droits réservés.": "copyright"}),
    ],
    ids=["es", "de", "fr"],
)
def test_other_languages(text: str, expected: dict[str, str]) -> None:
    v = verdicts(text)
    for line, reason in expected.items():
        assert v[line] == reason, line
    kept = [k for k, r in v.items() if r is None]
    assert len(kept) == 3  # the title and the two body paragraphs
    assert all(k in text.splitlines()[2:6] for k in kept)


@pytest.mark.parametrize(
    "sentence",
    [
        "The court ruled that copyright does not protect a recipe's list of ingredients, only its wording.",
        "Next, the committee will follow up with the three agencies that missed the deadline.",
        "Fans who follow the team on social media saw the announcement before the press did.",
        "Copyright law has not kept pace with machine learning, the professor argued in her new book.",
        "She said the next government would share the costs with the regions, starting next year.",
        "Cookies were handed out at the finish line, and the runners seemed to appreciate them.",
    ],
)
def test_body_sentences_that_mention_trigger_words_stay(sentence: str) -> None:
    text = f"A Title Line\n\n{sentence}\nAnother ordinary paragraph follows here with a few more words."
    assert all(r is None for r in verdicts(text).values())


def test_related_section_heading_followed_by_prose_stays() -> None:
    text = (
        "Related work\n"
        "Earlier studies of boilerplate removal relied on the structure of the HTML page, "
        "counting links and tags per block, and classified each block with a handful of "
        "hand-tuned thresholds that worked well on news sites but poorly elsewhere.\n"
    )
    assert verdicts(text)["Related work"] is None


def test_repeated_paragraph_dropped_even_when_dash_quote_and_spacing_differ() -> None:
    first = "Madrid – The city council approved the “green corridor” plan on Monday after months of debate."
    copy = "Madrid -  The city council approved the \"green corridor\" plan on Monday after months of debate."
    doc = clean_text(f"{first}\nMiddle paragraph with other words in it.\n{copy}", model=False,
                     min_words=0)
    assert [ln.reason for ln in doc.lines] == [None, None, "repeated"]
    assert doc.lines[2].detail == "repeats line 1"


def test_kept_and_removed_lines_rebuild_the_line_sequence() -> None:
    doc = clean_text(EN, model=False, min_words=0)
    assert [ln.text for ln in doc.lines] == [ln for ln in EN.splitlines() if ln.strip()]
    assert doc.text.splitlines()[0] == "Deep-Sea Mining Permits Stall at the UN Seabed Authority"


def test_re2_candidates_cover_the_rules_candidates() -> None:
    """RE2's candidate lines include every line the rules' own patterns make a candidate
    (on the seeds and on lines built to sit at the patterns' edges)."""
    from pathlib import Path

    from cleaner.filters import rules as R
    from cleaner.text import split_lines

    if R._CANDIDATES_RE2 is None:
        pytest.skip("google-re2 is not installed")
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path("seeds").glob("*.txt"))]
    texts.append("\n".join([
        "Follow café on Twitter", "page ٣ of ٥", "next post", ": the headline", "© 2024",
        "We use cookies to improve", "Home › News › Local", "a | b | c | d", "Más de éste",
        "more fromé", "Share thisé", "Suivez-nous", "Lire aussi", "Ordinary prose line.",
    ]))
    for text in texts:
        views = R._Views(split_lines(text), R.DEFAULT_THRESHOLDS)
        fast, slow = set(R._candidates(views.keys)), set(R._candidates_re(views.keys))
        assert slow <= fast
    assert len(slow) >= 10  # the edge lines are candidates


def test_repeated_paragraph_keeps_the_copy_the_model_keeps() -> None:
    """The rules keep a paragraph's first copy; when the model removes that copy (here: a
    table of contents above the article), the later copy it would keep stands in for it."""
    from cleaner.filters.model import keep_best_copy

    heading = "1. Understand Search Intent Before Anything Else in your plan"
    doc = clean_text(f"{heading}\nA paragraph of the article with other words in it.\n{heading}",
                     model=False, min_words=0)
    assert [ln.reason for ln in doc.lines] == [None, None, "repeated"]
    first, _, later = doc.lines
    for ln, p in zip(doc.lines, (0.1, 0.9, 0.8), strict=True):
        ln.model_score = p
    first.remove("model", 0.9, "line model: P(content)=0.10 < 0.20", by="model")
    keep_best_copy(doc.lines, 0.2)
    assert first.reason == "model" and later.reason is None
    # the overruled verdict stays on record, on both copies
    assert first.detail.endswith("its copy at line 3 is kept instead")
    assert later.detail == ("kept against the rule 'repeated' (repeats line 1): the line "
                            "model removed line 1 and keeps this copy")
    # a later copy the model would also remove stays removed as a repeat
    doc = clean_text(f"{heading}\nA paragraph of the article with other words in it.\n{heading}",
                     model=False, min_words=0)
    for ln, p in zip(doc.lines, (0.1, 0.9, 0.15), strict=True):
        ln.model_score = p
    doc.lines[0].remove("model", 0.9, "", by="model")
    keep_best_copy(doc.lines, 0.2)
    assert doc.lines[2].reason == "repeated"
    # the first copy kept: nothing changes
    doc = clean_text(f"{heading}\nA paragraph of the article with other words in it.\n{heading}",
                     model=False, min_words=0)
    for ln in doc.lines:
        ln.model_score = 0.9
    keep_best_copy(doc.lines, 0.2)
    assert [ln.reason for ln in doc.lines] == [None, None, "repeated"]


def test_rules_work_around_a_removed_line_too_long_to_look_at() -> None:
    """A line already removed and longer than `max_rule_line_chars` gets no key, but keeps
    its place: the rules still see the lines after it in order (a related heading and its
    teasers, a repeated paragraph)."""
    from cleaner.document import Line
    from cleaner.filters.rules import DEFAULT_THRESHOLDS, BoilerplateRules, _Views
    from cleaner.text import split_lines

    para = "A paragraph of the article, long enough to count as one when it repeats."
    text = "\n".join(["x" * 30_000, para, "Related", "- Teaser one", "- Teaser two",
                      "Body text that ends the article.", para])
    lines = split_lines(text)
    lines[0].remove("long_line", 1.0, "too long")
    views = _Views(lines, DEFAULT_THRESHOLDS)
    assert views.keys[0] == "" and views.keys[2] == "related"
    assert views[0].prose and not views[0].bullet
    doc = type("Doc", (), {"lines": lines})()
    BoilerplateRules().apply(doc)  # type: ignore[arg-type]
    assert [ln.reason for ln in lines] == ["long_line", None, "related", "related_teaser",
                                           "related_teaser", None, "repeated"]
    assert lines[6].detail == "repeats line 2"
    assert isinstance(lines[0], Line) and lines[0].key_hash == views.hashes[0]
