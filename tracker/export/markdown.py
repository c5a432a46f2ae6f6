"""The statement as a Markdown letter (for portals that take text, and for review).

Like the DOCX letter it carries no internal data (no version, no internal dates)."""

from __future__ import annotations

from tracker.export.letter import Letter


def render_markdown(letter: Letter) -> str:
    a = letter.association
    lines = [f"**{a.name}**  ", f"{' · '.join(a.address)}  ", f"{letter.register_line}", ""]
    if letter.contact_line:
        lines[2:2] = [f"{letter.contact_line}  "]
    lines += [f"{line}  " for line in letter.addressee] + [""]
    lines += [letter.place_and_date, ""]
    if letter.reference:
        lines += [f"Ihr Zeichen: {letter.reference}", ""]
    lines += [f"# {letter.subject}", "", letter.salutation, "", letter.body_md.strip(), ""]
    if letter.cosigners:
        lines += [f"## {letter.cosigners_heading}", ""]
        lines += [f"- {name}" for name in letter.cosigners] + [""]
    if letter.closing:
        lines += [letter.closing, ""]
    lines += ["Mit freundlichen Grüßen", ""]
    for s in a.signatories:
        lines += [f"{s.name}  ", f"{s.function}" if s.function else "", ""]
    lines.append(f"*{a.name} · {letter.register_line}*")
    return "\n".join(line for line in lines if line is not None) + "\n"
