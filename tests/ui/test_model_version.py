"""How the judge's model version reads on the item page."""

from tracker.ui.render import describe_model_version


def test_model_versions_read_as_words():
    assert describe_model_version("rules") == "nur Regeln"
    assert describe_model_version("rules+model:20261125T071156Z") == "Regeln + Modell vom 25.11.2026"
    assert describe_model_version(None) == "unbekannt"
    assert describe_model_version("rules+model:kaputt") == "rules\\+model\\:kaputt"  # escaped as Markdown
