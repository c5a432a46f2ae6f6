"""Which language an item is in: our own check, by distinctive function words.

Official language-identification models cannot be installed here, and titles are short,
so the check counts function words that belong to one language only. With too little
evidence it trusts the language the source declared, then German spelling cues.
"""

from __future__ import annotations

import re
from functools import lru_cache

SUPPORTED = ("de", "en")

# Short lists of frequent function words; words shared by two lists are dropped below, so
# only words that tell the languages apart are counted.
_FUNCTION_WORDS = {
    "de": "der die das den dem des und oder zur zum für über mit von bei aus auf ist sind wird werden "
          "nicht ein eine eines einer einem einen sowie durch gegen nach bis vom im am ins "
          "wurde soll sollen dass auch sich ihre seine unter zwischen wie",
    "en": "the and of for to on with from by is are be this that which these will shall an as at "
          "its their has have been not or into under between about",
    "nl": "het een van voor met aan bij tot wordt zijn niet ook door naar over onder tussen als "
          "de en op te dat deze die",
    "fr": "de le la les des du une pour avec sur dans est sont par aux au qui que ce cette entre",
    "es": "de el los las del una para con por sobre es son se que al entre como su sus",
    "da": "og af til på med fra den det er som ikke en et om for ved under mellem",
    "it": "il lo gli della delle dei per con sul nella è sono che una tra come",
    "pl": "i w z na do się że nie od dla przez jest są oraz",
}
_WORD = re.compile(r"[a-zäöüßàâçéèêëîïôûùÿñåæøąćęłńóśźż]+")
_GERMAN_SPELLING = re.compile(
    r"[äöüß]|sch|(?:ung|ungen|keit|heit|lich|isch|gesetz|verordnung|richtlinie|tz|cht|en)\b|\bbe|\bver|\bge")
_ENGLISH_SPELLING = re.compile(r"th|(?:tion|ing|ness|ity|ed|ly|y|s|ment)\b|\bre|\bun")
_LETTER = re.compile(r"[a-zäöü]").search


@lru_cache(maxsize=1)
def _distinctive() -> dict[str, str]:
    """Function word -> the one language it belongs to (words of several are dropped)."""
    owners: dict[str, set[str]] = {}
    for lang, words in _FUNCTION_WORDS.items():
        for word in words.split():
            owners.setdefault(word, set()).add(lang)
    return {word: next(iter(langs)) for word, langs in owners.items() if len(langs) == 1}


def detect_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``'s language, or ``declared``/None when it cannot tell."""
    lowered = text.lower()
    language_of = _distinctive()
    found = [language_of[word] for word in _WORD.findall(lowered) if word in language_of]
    first = second = 0
    winner = None
    if found:
        languages = set(found)
        if len(languages) == 1:
            winner, first = found[0], len(found)
        else:
            ranked = sorted([(found.count(lang), lang) for lang in languages], reverse=True)
            (first, winner), second = ranked[0], ranked[1][0]
        # Two distinctive words and a clear lead are enough even for a title.
        if first >= 2 and first >= 2 * second:
            return winner
    if declared:
        return declared.lower()[:2]
    if first >= 1 and first > second:
        return winner
    if not _LETTER(lowered):
        return None
    # No function words ("Smart-Meter-Rollout beschleunigen", "Circular Economy Act"):
    # spelling habits decide between the two languages the sources mostly use.
    german = len(_GERMAN_SPELLING.findall(lowered))
    english = len(_ENGLISH_SPELLING.findall(lowered))
    return "de" if german > english else "en"
