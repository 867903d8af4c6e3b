"""Assemble a self-contained HTML page: figures embedded as base64 PNG, tables inline.

The page needs no server and no network: styles are inline, images are ``data:`` URIs, and
links to the PNG/SVG/CSV/Markdown files are relative to the report folder.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from typing import Sequence, Union

import pandas as pd


@dataclass(frozen=True)
class FigureItem:
    """A figure: ``name`` (file stem, also the element id ``fig-<name>``), PNG bytes, caption,
    and the file links to show under it (relative paths)."""

    name: str
    png: bytes
    caption: str
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableItem:
    """A table: ``name`` (file stem, element id ``tab-<name>``), display frame, caption, file links."""

    name: str
    frame: pd.DataFrame
    caption: str
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grid:
    """Figures side by side."""

    figures: tuple[FigureItem, ...]


Block = Union[str, FigureItem, TableItem, Grid]


@dataclass
class Section:
    """A titled part of the page. ``blocks``: paragraphs (plain text), figures, tables, grids;
    ``level`` 2 or 3 for the heading."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2


_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1320px;color:#222;
line-height:1.45;padding:0 16px}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:1.8em}
h3{margin-top:1.4em}p{max-width:1100px}.meta{color:#666;font-size:.9em}
figure{margin:10px 0 18px;display:inline-block;vertical-align:top;max-width:100%}
figure img{max-width:min(100%,900px);border:1px solid #e3e3e3}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:12px}
.grid figure img{width:100%;max-width:100%}
figcaption{font-size:.88em;color:#444;max-width:900px}
table{border-collapse:collapse;font-size:.86em;margin:6px 0 4px}
th,td{border:1px solid #d8d8d8;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
tr:nth-child(even) td{background:#fafafa}.tablewrap{overflow-x:auto}
.caption{font-size:.88em;color:#444;max-width:1100px;margin-bottom:14px}
.links a{margin-right:8px;font-size:.85em}nav ul{columns:2;font-size:.92em}
"""


def _links(links: Sequence[str]) -> str:
    if not links:
        return ""
    parts = "".join(f'<a href="{html.escape(p)}">{html.escape(p.rsplit(".", 1)[-1].upper())}</a>' for p in links)
    return f' <span class="links">{parts}</span>'


def render_table(frame: pd.DataFrame) -> str:
    """An escaped HTML ``<table>`` of a display frame (no index)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(item: FigureItem) -> str:
    data = base64.b64encode(item.png).decode("ascii")
    return (f'<figure id="fig-{html.escape(item.name)}"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(item.caption[:200])}" data-figure="{html.escape(item.name)}">'
            f"<figcaption>{html.escape(item.caption)}{_links(item.links)}</figcaption></figure>")


def _block(block: Block) -> str:
    if isinstance(block, str):
        return f"<p>{html.escape(block)}</p>"
    if isinstance(block, FigureItem):
        return _figure(block)
    if isinstance(block, Grid):
        return '<div class="grid">' + "".join(_figure(f) for f in block.figures) + "</div>"
    return (f'<div class="tablewrap" id="tab-{html.escape(block.name)}" data-table="{html.escape(block.name)}">'
            f"{render_table(block.frame)}</div>"
            f'<div class="caption">{html.escape(block.caption)}{_links(block.links)}</div>')


def render_html(title: str, sections: Sequence[Section], meta: Sequence[str] = ()) -> str:
    """The full page."""
    nav = "".join(f'<li style="margin-left:{(s.level - 2) * 16}px"><a href="#{html.escape(s.id)}">'
                  f"{html.escape(s.title)}</a></li>" for s in sections)
    parts = [f'<section id="{html.escape(s.id)}"><h{s.level}>{html.escape(s.title)}</h{s.level}>'
             + "".join(_block(b) for b in s.blocks) + "</section>" for s in sections]
    meta_html = "".join(f'<div class="meta">{html.escape(m)}</div>' for m in meta)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{meta_html}"
            f"<nav><ul>{nav}</ul></nav>{''.join(parts)}</body></html>\n")


__all__ = ["FigureItem", "TableItem", "Grid", "Section", "render_html", "render_table"]
