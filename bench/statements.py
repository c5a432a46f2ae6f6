"""Statement path at association scale: 40 member organisations x 25 sections.

Measures in the same run, against the floor of any DOCX export (opening the template
and saving it unchanged with python-docx):

  (a) baseline: template open + save,
  (b) ``positions.matrix`` — the access-checked matrix from DuckDB,
  (c) ``statement.assemble`` + ``to_markdown`` — the pure draft assembly,
  (d) ``export.render(..., "docx")`` — matrix, version, letter and DOCX,
  (e) a refused login for a known and for an unknown name (should be about equal).

Usage: python bench/statements.py [--orgs 40] [--sections 25] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=40)
    parser.add_argument("--sections", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    os.environ["TRACKER_DB"] = str(tmp / "bench.duckdb")

    from docx import Document

    from tracker import export
    from tracker.access import auth
    from tracker.errors import UserError
    from tracker.export.association import load_association
    from tracker.export.docx import TEMPLATE_PATH
    from tracker.models import Item
    from tracker.storage import open_db
    from tracker.storage import positions as ws_store
    from tracker.storage import users as user_store
    from tracker.storage.connection import transaction
    from tracker.storage.items import store_items
    from tracker.vocabulary import Stance
    from tracker.work import positions, statement

    rng = random.Random(7)
    now = datetime.now(UTC)
    item = Item(id="bench", source_id="bench", guid="bench", link=None, canonical_url=None,
                title="Referentenentwurf Benchmarkgesetz", summary_html="", summary="", text="", published_at=now,
                updated_at=None, language="de", jurisdiction="de", content_hash="x", deadline=date(2027, 1, 31))
    orgs = [f"org-{n:03d}" for n in range(args.orgs)]
    with open_db() as con, transaction(con):
        store_items(con, "bench", [item], now)
        for org in orgs:
            user_store.upsert_organisation(con, {"id": org, "name": f"Stadtwerke Nummer {org[-3:]} GmbH"})
        ws_store.insert_workspace(con, {"item_id": "bench", "title": item.title, "status": "offen",
                                        "positions_shared": False, "created_by": "bench", "created_at": now})
        ws_store.replace_sections(con, "bench", [{"title": f"Abschnitt {n}", "label": f"§ {n}"}
                                                 for n in range(1, args.sections + 1)])
        ws_store.set_members(con, "bench", orgs, now)
        for section in ws_store.sections(con, "bench"):
            for org in orgs:
                if rng.random() < 0.8:
                    ws_store.upsert_position(con, {
                        "section_id": section["id"], "organisation_id": org, "item_id": "bench",
                        "stance": rng.choice(Stance.codes()), "reason": "Begründung " * rng.randint(5, 40),
                        "proposed_wording": "", "updated_by": "bench", "updated_at": now})
    team = auth.LOCAL_USER
    association = load_association()
    statement.assemble_draft(team, "bench", association)

    def baseline() -> None:
        Document(str(TEMPLATE_PATH)).save(io.BytesIO())

    m = positions.matrix(team, "bench")
    results = {
        "(a) template open+save": timed(baseline, args.repeat),
        "(b) matrix from DuckDB": timed(lambda: positions.matrix(team, "bench"), args.repeat),
        "(c) assemble draft (pure)": timed(lambda: statement.to_markdown(statement.assemble(m, association)),
                                           args.repeat),
        "(d) export DOCX": timed(lambda: export.render(team, "bench", "docx", association=association), args.repeat),
    }
    auth.create_user(team, login="bench", display_name="B", password="bench-passwort", role="team")

    def refused(login: str) -> None:
        with contextlib.suppress(UserError):
            auth.authenticate(login, "falsches-passwort")

    results["(e) refused login, known name"] = timed(lambda: refused("bench"), 3)
    results["(e) refused login, unknown name"] = timed(lambda: refused("niemand-hier"), 3)
    base = results["(a) template open+save"]
    print(f"{args.orgs} organisations x {args.sections} sections, {len(m.cells)} positions; median of runs")
    for name, seconds in results.items():
        print(f"  {name:34s} {seconds * 1000:8.1f} ms   {seconds / base:6.1f} x baseline")


if __name__ == "__main__":
    main()
