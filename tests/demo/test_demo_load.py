"""Loading the shipped demo data: shifted to end near today, idempotent, with history."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.demo.loader import demo_shift_days, load_demo
from tracker.storage import open_db

TODAY = date(2026, 11, 25)


def test_demo_is_shifted_to_today_and_loading_twice_changes_nothing(db_path):
    first = load_demo(today=TODAY)
    assert first.items >= 70 and first.new == first.items - 1  # one publication comes from two sources
    assert first.changed >= 1  # the item shipped with an earlier version
    again = load_demo(today=TODAY + timedelta(days=3))
    assert (again.new, again.changed, again.shift_days) == (0, 0, first.shift_days)
    with open_db(db_path) as con:
        assert demo_shift_days(con) == first.shift_days
        newest = con.execute("SELECT max(published_at)::DATE FROM items").fetchone()[0]
        upcoming = con.execute("SELECT count(*) FROM items WHERE deadline >= ?", [TODAY]).fetchone()[0]
        history = con.execute("SELECT count(*) FROM item_history").fetchone()[0]
        two_sources = con.execute(
            "SELECT count(*) FROM (SELECT item_id FROM item_sources GROUP BY item_id HAVING count(*) > 1)"
        ).fetchone()[0]
        demo_flag = con.execute("SELECT bool_and(is_demo) FROM items").fetchone()[0]
    assert abs((newest - TODAY).days) <= 7
    assert upcoming >= 4
    assert history == 1 and two_sources == 1 and demo_flag


def test_text_deadlines_move_with_the_shift(db_path):
    load_demo(today=TODAY)
    with open_db(db_path) as con:
        rows = con.execute(
            "SELECT deadline, deadline_text FROM items WHERE deadline_origin = 'text' AND deadline >= ?", [TODAY]
        ).fetchall()
    assert rows, "a text-only deadline should land after today once shifted"
    for deadline, text in rows:
        assert str(deadline.year) in text and str(deadline.day) in text


def test_unshifted_load_keeps_original_dates(db_path):
    report = load_demo(shift=False)
    assert report.shift_days == 0
    with open_db(db_path) as con:
        assert demo_shift_days(con) == 0


def test_demo_positions_are_written_by_each_members_demo_user(db_path):
    """A member reading the demo matrix sees "changed by Jana Vogt", not a made-up actor."""
    from tracker.access import auth
    from tracker.work import positions, workspaces

    load_demo(today=TODAY)
    team = auth.get_user("team")
    [workspace] = workspaces.workspaces_for(team)
    cells = positions.matrix(team, workspace.item_id).cells.values()
    users = {u["organisation_id"]: u["id"] for u in auth.list_users(auth.LOCAL_USER) if u["organisation_id"]}
    assert cells and {(p.organisation_id, p.updated_by) for p in cells} <= set(users.items())
    assert auth.display_names()["team"].startswith("Demo-Fachteam")
