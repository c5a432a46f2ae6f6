"""The domain's words, defined once: triage statuses, workspace statuses, stances, stages,
roles, source kinds and source health states, each with its German label.

Every other module (SQL parameters included) uses these members instead of bare strings,
so a word added or renamed here takes effect everywhere. The members are ``StrEnum``s:
they compare equal to the stored text and are written to DuckDB as that text.
Topic ids are not listed here: they are a contract of ``data/topics.toml`` and read from it
(``tracker.judge.taxonomy.topic_ids``).
"""

from __future__ import annotations

from enum import StrEnum


def _codes(*members: StrEnum) -> tuple[str, ...]:
    """A group of words as plain stored text, in the order given (widgets keep it, and
    Streamlit coerces Enum members in widget state)."""
    return tuple(member.value for member in members)


class Vocabulary(StrEnum):
    """A closed set of stored words, each with a German label for the user interface.

    A member is written ``CODE = "stored text", "German label"``."""

    label: str

    def __new__(cls, code: str, label: str) -> Vocabulary:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The stored codes, in definition order (for validation and messages)."""
        return tuple(member.value for member in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code → German label, in definition order (for select boxes and legends)."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, code: str | None, default: str = "–") -> str:
        """The German label of a stored code; an unknown code is shown as it is."""
        if code is None:
            return default
        try:
            return cls(code).label
        except ValueError:
            return code


class TriageStatus(Vocabulary):
    """Where an item stands in the team's triage."""

    NEU = "neu", "Neu"
    BEOBACHTEN = "beobachten", "Beobachten"
    STELLUNGNAHME_GEPLANT = "stellungnahme_geplant", "Stellungnahme geplant"
    ABGEGEBEN = "abgegeben", "Abgegeben"
    ERLEDIGT = "erledigt", "Erledigt"
    IRRELEVANT = "irrelevant", "Irrelevant"


# Items still waiting for the team: their deadlines count, alerts and the Fristen page show them.
OPEN_STATUSES = _codes(TriageStatus.NEU, TriageStatus.BEOBACHTEN, TriageStatus.STELLUNGNAHME_GEPLANT)
# Items the team chose to follow: calendars and reminders include them whatever their score.
FOLLOWED_STATUSES = _codes(TriageStatus.BEOBACHTEN, TriageStatus.STELLUNGNAHME_GEPLANT)
# Statuses that commit someone to work on the item, so the item needs an owner.
OWNER_REQUIRED_STATUSES = _codes(TriageStatus.STELLUNGNAHME_GEPLANT, TriageStatus.ABGEGEBEN)
# Statuses that mean the work on the item is over.
DONE_STATUSES = _codes(TriageStatus.ABGEGEBEN, TriageStatus.ERLEDIGT)


class WorkspaceStatus(Vocabulary):
    """Where a consultation workspace stands: prepared, open for member input, closed, submitted."""

    VORBEREITUNG = "vorbereitung", "In Vorbereitung (nur Team)"
    OFFEN = "offen", "Offen für Mitglieder"
    GESCHLOSSEN = "geschlossen", "Eingabe geschlossen"
    EINGEREICHT = "eingereicht", "Eingereicht"


# Members see a workspace only once the team has opened it for their input.
VISIBLE_TO_MEMBERS = _codes(WorkspaceStatus.OFFEN, WorkspaceStatus.GESCHLOSSEN, WorkspaceStatus.EINGEREICHT)


class Stance(Vocabulary):
    """A member organisation's position on one section."""

    ZUSTIMMUNG = "zustimmung", "Zustimmung"
    AENDERUNGEN = "aenderungen", "Zustimmung mit Änderungen"
    ABLEHNUNG = "ablehnung", "Ablehnung"
    KEINE = "keine", "Keine Position"



class SubmissionAction(Vocabulary):
    """What happened to the record of a sent statement; every step is kept in its history."""

    RECORDED = "erfasst", "erfasst"
    CORRECTED = "korrigiert", "korrigiert"
    WITHDRAWN = "zurueckgezogen", "zurückgezogen"


class SubmissionChannel(Vocabulary):
    """How a statement was sent."""

    EMAIL = "E-Mail", "E-Mail"
    PORTAL = "Beteiligungsportal", "Beteiligungsportal"
    POST = "Post", "Post"
    FAX = "Fax", "Fax"
    IN_PERSON = "Persönlich übergeben", "Persönlich übergeben"


class Stage(Vocabulary):
    """What kind of publication an item is, as far as the team's work goes."""

    CONSULTATION = "consultation", "Konsultation"
    DRAFT = "draft", "Entwurf"
    ADOPTED = "adopted", "Beschlossen"
    FUNDING_CALL = "funding_call", "Förderaufruf"
    TENDER = "tender", "Ausschreibung"
    NEWS = "news", "Meldung"


class Role(Vocabulary):
    """What a user may do: an admin everything, the team the work, a member its own positions."""

    ADMIN = "admin", "Administration"
    TEAM = "team", "Fachteam"
    MEMBER = "member", "Mitglied"


TEAM_ROLES = _codes(Role.ADMIN, Role.TEAM)
# A new user gets the least privilege unless the administrator chooses otherwise.
LEAST_PRIVILEGE_ROLE = Role.MEMBER


class SessionEnd(Vocabulary):
    """Why a dashboard session ended before it expired."""

    LOGOUT = "abgemeldet", "abgemeldet"
    DEACTIVATED = "deaktiviert", "Zugang gesperrt"
    PASSWORD_CHANGED = "passwort_geaendert", "Passwort geändert"


class SourceKind(Vocabulary):
    """How a source is read: feedparser for RSS/Atom, an adapter for each JSON API."""

    RSS = "rss", "RSS"
    ATOM = "atom", "Atom"
    HAVEYOURSAY = "haveyoursay", "Have Your Say (JSON)"
    GOVUK = "govuk", "GOV.UK (JSON)"
    FEDERALREGISTER = "federalregister", "Federal Register (JSON)"
    REGULATIONSGOV = "regulationsgov", "Regulations.gov (JSON)"
    DIP = "dip", "Bundestag DIP (JSON)"
    IMAP = "imap", "Postfach (IMAP)"


class FetchOutcome(Vocabulary):
    """How one source ended in one collection run."""

    OK = "ok", "ok"
    UNCHANGED = "unverändert", "unverändert"
    WARNING = "warnung", "Warnung"
    ERROR = "fehler", "Fehler"


class RunOutcome(Vocabulary):
    """How a collection run ended; a run without an outcome is still running."""

    COMPLETED = "abgeschlossen", "abgeschlossen"
    ABORTED = "abgebrochen", "abgebrochen (Prozess beendet, bevor der Lauf fertig war)"


class SourceHealth(Vocabulary):
    """The state the source health table shows, from the source's last attempt."""

    NEVER_FETCHED = "nie_abgerufen", "nie abgerufen"
    ERROR = "fehler", "Fehler"
    WARNING = "warnung", "Warnung"
    OK = "ok", "OK"
    # No successful fetch, or no new item, for longer than the source's expected cadence
    # (``expect_every``): silence that may hide a missed consultation.
    OVERDUE = "ueberfaellig", "überfällig"
    # Stored from an earlier feeds.toml; its items stay, nothing fetches it any more.
    UNCONFIGURED = "nicht_konfiguriert", "nicht mehr konfiguriert"


class CheckVerdict(Vocabulary):
    """What a source check (``tracker sources check``, the Quellen page) concludes."""

    OK = "ok", "OK"
    NOTICE = "hinweis", "Hinweis"
    BROKEN = "fehler", "Fehler"


class AfterRead(Vocabulary):
    """What the tool does to a mail in the mailbox once its item is stored (``after_read``);
    nothing at all unless feeds.toml names it."""

    NOTHING = "nichts", "nichts (nur lesen)"
    FLAG = "flag", "markieren"
    MOVE = "move", "verschieben"


class MailReading(Vocabulary):
    """How far a mail of a mailbox source could be read; a mail is never dropped, one that
    could not be read whole is kept and shown with the reason."""

    READ = "gelesen", "gelesen"
    PARTLY = "teilweise", "teilweise gelesen"
    UNREADABLE = "unlesbar", "nicht lesbar"


class DeadlineOrigin(Vocabulary):
    """Where an item's deadline comes from. Re-judging reads again only a deadline the judge
    itself read from the text; the publisher's field and the team's word are kept."""

    STRUCTURED = "structured", "Feld des Herausgebers"
    TEXT = "text", "aus dem Text gelesen"
    TEAM = "team", "vom Team übernommen"


class HearingStatus(Vocabulary):
    """A dated hearing (Anhörungstermin) from a calendar invitation in a mail."""

    PLANNED = "geplant", "geplant"
    UPDATED = "geaendert", "geändert"
    CANCELLED = "abgesagt", "abgesagt"


class ReferenceKind(Vocabulary):
    """A reference number a publisher gives, which marks the same matter at another level."""

    COM = "com", "Kommissionsdokument"
    RATSDOK = "ratsdok", "Ratsdokument"
    EU_PROCEDURE = "eu_verfahren", "EU-Verfahren"
    CELEX = "celex", "EU-Rechtsakt (CELEX)"
    BT_DRUCKSACHE = "bt_drucksache", "BT-Drucksache"
    BR_DRUCKSACHE = "br_drucksache", "BR-Drucksache"
    DIP_VORGANG = "dip_vorgang", "DIP-Vorgang"


# References that name one Vorlage: items sharing one are the same matter at another level.
# A CELEX number names an adopted act, which many later texts merely cite.
SAME_MATTER_REFERENCES = _codes(ReferenceKind.COM, ReferenceKind.RATSDOK, ReferenceKind.EU_PROCEDURE,
                                ReferenceKind.BT_DRUCKSACHE, ReferenceKind.BR_DRUCKSACHE,
                                ReferenceKind.DIP_VORGANG)


class Level(Vocabulary):
    """Where in the legislative chain an item stands (the Vorgang page groups linked items so)."""

    EU = "eu", "auf EU-Ebene"
    BUNDESTAG = "bundestag", "im Bundestag"
    BUNDESRAT = "bundesrat", "im Bundesrat"
    BUND = "bund", "bei der Bundesregierung und den Bundesbehörden"
    LAND = "land", "in den Ländern"
    OTHER = "andere", "anderswo"


# The sixteen Länder as ISO 3166-2:DE subdivision codes: holidays (``TRACKER_LAND``) and
# jurisdictions (``de-by``, lower case there).
LAENDER = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")
LAENDER_NAMES = {
    "BB": "Brandenburg", "BE": "Berlin", "BW": "Baden-Württemberg", "BY": "Bayern", "HB": "Bremen",
    "HE": "Hessen", "HH": "Hamburg", "MV": "Mecklenburg-Vorpommern", "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz", "SH": "Schleswig-Holstein", "SL": "Saarland",
    "SN": "Sachsen", "ST": "Sachsen-Anhalt", "TH": "Thüringen",
}
# Jurisdictions of sources beside the Länder (``de-by`` and so on).
JURISDICTION_NAMES = {"eu": "EU", "de": "Bund", "uk": "Vereinigtes Königreich", "us": "USA", "int": "International"}
LANGUAGE_NAMES = {"de": "Deutsch", "en": "Englisch", "fr": "Französisch"}
# A relevance verdict, the judge's or the team's, as people read it.
RELEVANCE_WORDS = {True: "relevant", False: "nicht relevant"}
# Fields of an item whose change is recorded in its history.
ITEM_FIELD_NAMES = {"title": "Titel", "summary": "Zusammenfassung", "deadline": "Frist"}


def jurisdiction_label(code: str | None) -> str:
    """"de-bw" → "Baden-Württemberg", "eu" → "EU"; an unknown code is shown as it is."""
    if not code:
        return "–"
    lowered = code.lower()
    if lowered.startswith("de-") and lowered[3:].upper() in LAENDER_NAMES:
        return LAENDER_NAMES[lowered[3:].upper()]
    return JURISDICTION_NAMES.get(lowered, code)


def relevance_label(relevant: bool | None) -> str:
    return RELEVANCE_WORDS[bool(relevant)]


def language_label(code: str | None) -> str:
    return LANGUAGE_NAMES.get((code or "").lower(), code or "–")
