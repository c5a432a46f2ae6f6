"""Feed documents and feeds.toml files built for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape


def make_rss(n_items: int, *, prefix: str = "item", title_suffix: str = "", channel_title: str = "Testfeed",
             summary: str = "Entwurf zur Änderung des Messstellenbetriebsgesetzes (Smart-Meter-Rollout).",
             encoding: str = "utf-8", start: int = 0) -> bytes:
    """An RSS 2.0 document with ``n_items`` items with stable guids and links."""
    base = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    items = []
    for n in range(start, start + n_items):
        items.append(
            f"<item><title>{escape(f'Bekanntmachung {prefix} {n}{title_suffix}')}</title>"
            f"<link>https://example.org/{prefix}/{n}</link>"
            f"<guid isPermaLink=\"false\">{prefix}-{n}</guid>"
            f"<pubDate>{format_datetime(base + timedelta(hours=n))}</pubDate>"
            f"<description>{escape(summary)}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(channel_title)}</title><link>https://example.org/</link>"
        f"<description>Test</description>{''.join(items)}</channel></rss>"
    ).encode(encoding)


def write_feeds_toml(path: Path, sources: dict[str, str], *, collector: str = "", kind: str = "rss",
                     jurisdiction: str = "de") -> Path:
    """A feeds.toml with one rss source per (id, url), plus an optional [collector] table."""
    blocks = [f"[collector]\n{collector}\n"] if collector else []
    for source_id, url in sources.items():
        blocks.append(
            f'[[source]]\nid = "{source_id}"\nname = "Quelle {source_id}"\nurl = "{url}"\nkind = "{kind}"\n'
            f'publisher = "Test"\njurisdiction = "{jurisdiction}"\nlanguage = "de"\nenabled = true\n'
        )
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path
