"""The shipped demo data set: shape, dates, and consistency with feeds.toml."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.collect.normalise import canonical_url
from tracker.collect.sources import LAND_CODES, load_sources
from tracker.judge.taxonomy import topic_ids
from tracker.vocabulary import Stage

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = PROJECT_ROOT / "data" / "demo" / "items.json"

ITEM_KEYS = {
    "source_id", "guid", "title", "summary", "link", "published", "language", "deadline", "deadline_text",
    "opening_date", "stage", "topics", "relevant", "previous_versions",
}
VERSION_KEYS = {"title", "summary", "deadline", "seen"}
STAGES = set(Stage.codes())
# Phrases that announce a deadline in running text ("Stellungnahmen können bis zum 28. Juli 2025 ...").
TEXT_DEADLINE = re.compile(r"\b(bis zum|bis Freitag|Fristablauf|until|deadline)\b", re.I)


@pytest.fixture(scope="module")
def demo() -> dict:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def items(demo) -> list[dict]:
    return demo["items"]


@pytest.fixture(scope="module")
def sources():
    return {s.id: s for s in load_sources(PROJECT_ROOT / "feeds.toml").sources}


def test_top_level_shape(demo):
    assert set(demo) == {"description", "reference_date", "items"}
    assert demo["description"].strip()
    date.fromisoformat(demo["reference_date"])
    assert len(demo["items"]) >= 70


def test_every_item_has_exactly_the_documented_fields(items):
    for item in items:
        assert set(item) == ITEM_KEYS, item.get("guid")
        for key in ("source_id", "guid", "title", "link", "published", "language", "stage"):
            assert isinstance(item[key], str) and item[key].strip(), (item["guid"], key)
        assert isinstance(item["summary"], str)
        assert isinstance(item["topics"], list)
        assert isinstance(item["relevant"], bool)
        assert isinstance(item["previous_versions"], list)
        assert item["language"] in ("de", "en")
        assert item["stage"] in STAGES, item["guid"]


def test_every_source_id_is_in_feeds_toml(items, sources):
    unknown = {i["source_id"] for i in items} - sources.keys()
    assert not unknown, f"source ids missing from feeds.toml: {sorted(unknown)}"


def test_dates_parse_and_are_anchored_at_the_reference_date(demo, items):
    reference = date.fromisoformat(demo["reference_date"])
    published = []
    for item in items:
        moment = datetime.fromisoformat(item["published"])
        assert moment.tzinfo is not None, f"{item['guid']}: published needs a UTC offset"
        published.append(moment.date())
        for key in ("deadline", "opening_date"):
            if item[key] is not None:
                date.fromisoformat(item[key])
        if item["opening_date"] and item["deadline"]:
            assert item["opening_date"] <= item["deadline"], item["guid"]
        for version in item["previous_versions"]:
            assert datetime.fromisoformat(version["seen"]).tzinfo is not None
            if version.get("deadline"):
                date.fromisoformat(version["deadline"])
    assert max(published) == reference, "the newest item must sit on reference_date"


def test_links_are_https_and_guids_unique_per_source(items):
    assert all(i["link"].startswith("https://") for i in items)
    guids = Counter((i["source_id"], i["guid"]) for i in items)
    assert [k for k, n in guids.items() if n > 1] == []


def test_shared_links_are_only_the_same_publication_from_different_sources(items):
    by_link = defaultdict(list)
    for item in items:
        by_link[canonical_url(item["link"])].append(item)
    shared = [group for group in by_link.values() if len(group) > 1]
    assert shared, "the demo must show one publication carried by two sources"
    for group in shared:
        # Within one source two entries with one URL would not be one publication.
        assert len({i["source_id"] for i in group}) == len(group), [i["guid"] for i in group]


def test_topics_are_valid_and_all_covered(items):
    for item in items:
        assert set(item["topics"]) <= set(topic_ids()), item["guid"]
        if not item["relevant"]:
            # Same convention as relevance_dev.tsv: no topics on irrelevant or out-of-remit items.
            assert item["topics"] == [], item["guid"]
        else:
            assert item["topics"], item["guid"]
    covered = {t for i in items if i["relevant"] for t in i["topics"]}
    assert covered == set(topic_ids())


def test_deadlines_structured_and_in_text(items):
    structured = [i for i in items if i["deadline"]]
    text_only = [i for i in items if not i["deadline"] and TEXT_DEADLINE.search(i["summary"])]
    assert len(structured) >= 20
    assert len(text_only) >= 3, "some deadlines must only be written in the summary"


def test_one_item_carries_an_earlier_version_with_another_deadline(items):
    changed = [i for i in items if any(v.get("deadline") != i["deadline"] for v in i["previous_versions"])]
    assert changed
    for item in changed:
        for version in item["previous_versions"]:
            assert set(version) >= VERSION_KEYS


def test_coverage_of_stages_jurisdictions_and_remit(items, sources):
    assert {i["stage"] for i in items} == STAGES
    jurisdictions = {sources[i["source_id"]].jurisdiction for i in items}
    assert {"eu", "de"} <= jurisdictions
    assert len({j for j in jurisdictions if j.startswith("de-")}) >= 2
    remit = {"eu", "de"} | {f"de-{code}" for code in LAND_CODES}
    outside = [i for i in items if sources[i["source_id"]].jurisdiction not in remit]
    assert outside, "a few out-of-remit items show the remit rule"
    assert not any(i["relevant"] for i in outside)
    in_remit_irrelevant = [i for i in items if not i["relevant"] and i not in outside]
    assert len(in_remit_irrelevant) >= 5, "irrelevant items from watched sources train the judge"
