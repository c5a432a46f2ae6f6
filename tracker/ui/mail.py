"""The Vorgang page's parts for an item that came by mail: who sent it (the ministry, the
forward), its attachments and how far it could be read, and the hearings its invitations name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from tracker.ui import widgets
from tracker.ui.render import escape_markdown
from tracker.vocabulary import HearingStatus, MailReading


def render_mail(mail: dict[str, Any]) -> None:
    """Sender, forward, reading state and attachments of a mail item (all from the mail, escaped)."""
    st.subheader("E-Mail")
    ministry = mail.get("ministry") or {}
    sender = " ".join(filter(None, [mail.get("from_name"), f"<{mail['from']}>" if mail.get("from") else None]))
    facts = [f"**Absender:** {escape_markdown(sender or '–')}"]
    if ministry:
        # The name is today's; a letter from an earlier cabinet came from the ministry under
        # its former name, so that is said too.
        former = f"; früher {ministry['former']}" if ministry.get("former") else ""
        facts.append(f"**Ministerium:** {escape_markdown(ministry.get('name', ''))} "
                     f"({escape_markdown(ministry.get('short', '') + former)})")
    if mail.get("date"):
        facts.append(f"**Gesendet:** {widgets.fmt_datetime(datetime.fromisoformat(mail['date']))}")
    forward = mail.get("forward")
    if forward:
        facts.append("**Weitergeleitet** (" + ("als Anhang" if forward.get("style") == "anhang" else "im Text")
                     + "); Absender, Datum und Betreff sind die der ursprünglichen E-Mail")
    st.markdown("  \n".join(facts))
    reading = mail.get("reading")
    if reading and reading != MailReading.READ:
        problems = "; ".join(str(p) for p in mail.get("problems") or []) or "ohne nähere Angabe"
        st.warning(f"E-Mail {MailReading.label_of(reading)}: {escape_markdown(problems)}. Sie ist im Rohdatenarchiv "
                   "aufbewahrt.", icon=":material/mail:")
    attachments = mail.get("attachments") or []
    if attachments:
        st.dataframe(pd.DataFrame([{
            "Anlage": a.get("name") or "–", "Art": (a.get("kind") or a.get("content_type") or "–"),
            "Größe (Bytes)": a.get("size"), "Zeichen gelesen": a.get("chars"), "Problem": a.get("problem") or "",
        } for a in attachments]), hide_index=True, width="stretch")


def _when(hearing: dict[str, Any]) -> str:
    if hearing.get("all_day") and hearing.get("start_day"):
        return f"{hearing['start_day']:%d.%m.%Y} (ganztägig)"
    if hearing.get("starts_at"):
        end = f"–{widgets.fmt_datetime(hearing['ends_at'])[-5:]}" if hearing.get("ends_at") else ""
        return f"{widgets.fmt_datetime(hearing['starts_at'])}{end} Uhr"
    return "ohne Datum"


def render_hearings(hearings: Sequence[dict[str, Any]]) -> None:
    """Dated hearings (Anhörungstermine) from the item's invitations; a cancelled one struck through."""
    st.subheader("Anhörungstermine")
    for hearing in hearings:
        status = hearing.get("status")
        line = f"{_when(hearing)}: {escape_markdown(hearing.get('summary') or 'Anhörung')}"
        if hearing.get("location"):
            line += f" – {escape_markdown(hearing['location'])}"
        if status == HearingStatus.CANCELLED:
            st.markdown(f"~~{line}~~ **{HearingStatus.label_of(status)}**")
        else:
            st.markdown(line + (f" ({HearingStatus.label_of(status)})" if status == HearingStatus.UPDATED else ""))
