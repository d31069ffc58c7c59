"""Scripts: every version and its results, one version with its diagram, two side by side with
a diff, an editor whose errors show at their line and a chat to try the draft in, publish.

Reading, uploading and publishing go through ``api.services.scripts`` (what
``/scripts`` uses); checking a draft is the core's own ``parse_script``.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from rich.console import Console

from api.container import Container
from api.deps import ContainerDep
from api.script_views import _condition, segment_warnings, text_flow
from api.script_views import diff as semantic_diff
from api.services import scripts as versions
from api.web.render import PREFIX, page
from api.web.session import PostDep, SessionDep, same_rule
from api.web.try_draft import WAIT, play
from isa_engine.authoring import parse_script
from isa_engine.errors import IsaError, ScriptError, ScriptErrors
from isa_engine.script import Script

router = APIRouter()
author = same_rule("POST /scripts/{name}/versions")
_VERSION_LINE = re.compile(r"^version:\s*\d+\s*$", re.MULTILINE)
MAX_TURNS = 50  # a try replays every turn on each post: bounded, so is its CPU
MAX_TURN_CHARS = 1600  # Twilio's own limit on one text's body


def _version(container: Container, name: str, version: int) -> tuple[Any, str]:
    try:
        return versions.get_version(container, name, version)
    except IsaError as exc:
        raise HTTPException(404, str(exc)) from None


def _overview(container: Container) -> list[dict[str, Any]]:
    out = []
    with container.uow(read_only=True) as uow:
        for name, found in versions.list_scripts(container).items():
            rows = [
                {
                    "version": v.version,
                    "published": v.published,
                    "state": v.state,
                    **versions.stats(uow.session, name, v.version),
                }
                for v in found
            ]
            out.append({"name": name, "versions": rows})
    return out


@router.get("/scripts", response_class=HTMLResponse)
def scripts_page(request: Request, container: ContainerDep, session: SessionDep) -> HTMLResponse:
    """Every script, its versions, which is live and which are drafts, and what each did."""
    return page(request, "scripts.html", session, scripts=_overview(container))


@router.get("/scripts/{name}/diff", response_class=HTMLResponse)
def diff_page(
    name: str, request: Request, container: ContainerDep, session: SessionDep, a: int, b: int
) -> HTMLResponse:
    """Two versions side by side, with what changed in the steps and rules."""
    old, old_text = _version(container, name, a)
    new, new_text = _version(container, name, b)
    out = Console(record=True, width=110, color_system=None, force_terminal=False)
    semantic_diff(out, old, new)
    table = difflib.HtmlDiff(wrapcolumn=60).make_table(
        old_text.splitlines(), new_text.splitlines(), f"v{a}", f"v{b}", context=True, numlines=2
    )
    return page(
        request,
        "script_diff.html",
        session,
        name=name,
        a=a,
        b=b,
        summary=out.export_text(),
        table=Markup(table),
    )


def _draft(container: Container, name: str) -> tuple[int, str]:
    """The next version's number and a draft: the newest version with its number moved on."""
    on_disk = versions.versions_on_disk(container.scripts.root, name)
    if not on_disk:
        raise HTTPException(404, f"no script named {name!r}")
    newest = max(on_disk)
    text = on_disk[newest].read_text(encoding="utf-8")
    return newest + 1, _VERSION_LINE.sub(f"version: {newest + 1}", text, count=1)


def _located(text: str, errors: list[ScriptError]) -> list[dict[str, Any]]:
    """The draft's lines, each with the errors located on it."""
    by_line: dict[int, list[str]] = {}
    for e in errors:
        by_line.setdefault(e.line, []).append(f"column {e.col}: {e.message}")
    return [
        {"n": n, "text": line, "errors": by_line.get(n, [])}
        for n, line in enumerate(text.splitlines() or [""], 1)
    ]


def _editor(
    request: Request,
    session: SessionDep,
    name: str,
    next_version: int,
    text: str,
    errors: list[ScriptError] | None = None,
    checked: bool = False,
    problem: str | None = None,
) -> HTMLResponse:
    errors = errors or []
    return page(
        request,
        "script_edit.html",
        session,
        name=name,
        next_version=next_version,
        text=text,
        errors=errors,
        lines=_located(text, errors) if errors else [],
        checked=checked and not errors and problem is None,
        problem=problem,
    )


@router.get("/scripts/{name}/new", response_class=HTMLResponse, name="script_new")
def new_version(
    name: str, request: Request, container: ContainerDep, session: SessionDep
) -> HTMLResponse:
    """The editor, holding a draft of the next version."""
    author(session.user)
    number, text = _draft(container, name)
    return _editor(request, session, name, number, text)


@router.get("/scripts/{name}/{version}", response_class=HTMLResponse)
def version_page(
    name: str, version: int, request: Request, container: ContainerDep, session: SessionDep
) -> HTMLResponse:
    """One version: its YAML, the diagram of its questions, SMS segment notes."""
    script, text = _version(container, name, version)
    live = versions.published_version(container.scripts.root, name)
    return page(
        request,
        "script.html",
        session,
        name=name,
        version=version,
        published=live == version,
        state=versions.state_of(version, live),
        live=live,
        yaml=text,
        flow="\n".join(text_flow(script)),
        diagram=diagram(script),
        notes=segment_warnings(script),
        all_versions=sorted(versions.versions_on_disk(container.scripts.root, name)),
    )


@router.post("/scripts/{name}/new", response_class=HTMLResponse, response_model=None)
def save_version(
    name: str,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    text: Annotated[str, Form(max_length=200_000)],
    action: Annotated[str, Form()] = "check",
) -> Response:
    """Check the draft (every error at its line), or save it as the next version."""
    user = author(session.user)
    number, _ = _draft(container, name)
    text = text.replace("\r\n", "\n")
    try:
        if action != "save":
            parse_script(text, f"{name}/v{number}.yaml")
            return _editor(request, session, name, number, text, checked=True)
        with container.uow() as uow:
            saved = versions.upload(container, uow.session, name, text, actor_id=user.id)
            uow.commit()
    except ScriptErrors as exc:
        return _editor(request, session, name, number, text, errors=list(exc.errors))
    except ScriptError as exc:
        return _editor(request, session, name, number, text, errors=[exc])
    except IsaError as exc:
        return _editor(request, session, name, number, text, problem=str(exc))
    return RedirectResponse(f"{PREFIX}/scripts/{name}/{saved.version}?saved=1", status_code=303)


@router.post("/scripts/{name}/{version}/publish")
def publish(name: str, version: int, container: ContainerDep, session: PostDep) -> RedirectResponse:
    """New conversations start on this version; running ones stay on theirs."""
    user = author(session.user)
    try:
        with container.uow() as uow:
            versions.publish(container, uow.session, name, version, actor_id=user.id)
            uow.commit()
    except IsaError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse(f"{PREFIX}/scripts/{name}/{version}?published=1", status_code=303)


@router.post("/scripts/{name}/try", response_class=HTMLResponse)
def try_it(
    name: str,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    text: Annotated[str, Form(max_length=200_000)],
    said: Annotated[list[str] | None, Form()] = None,
    say: Annotated[str, Form(max_length=1600)] = "",
    action: Annotated[str, Form()] = "send",
) -> HTMLResponse:
    """The draft as it stands, played from its opening through what the lead said so far and
    the new text (or 20 minutes passing); htmx swaps the chat in. Nothing is saved."""
    author(session.user)
    number, _ = _draft(container, name)
    text = text.replace("\r\n", "\n")
    turns = [] if action == "restart" else list(said or [])
    if action == "wait":
        turns.append(WAIT)
    elif action == "send" and say.strip():
        turns.append(say.strip())
    check_turns(turns)
    errors: list[ScriptError] = []
    trial = None
    try:
        trial = play(parse_script(text, f"{name}/v{number}.yaml"), turns)
    except ScriptErrors as exc:
        errors = list(exc.errors)
    except ScriptError as exc:
        errors = [exc]
    return page(
        request, "script_try.html", session, name=name, turns=turns, trial=trial, try_errors=errors
    )


def check_turns(turns: list[str]) -> None:
    """422 naming the limit when a try has more than MAX_TURNS turns or a turn is longer
    than MAX_TURN_CHARS characters."""
    if len(turns) > MAX_TURNS:
        raise HTTPException(
            422,
            f"a try is at most {MAX_TURNS} turns (this one has {len(turns)}): "
            "restart the chat to try more",
        )
    for number, turn in enumerate(turns, 1):
        if len(turn) > MAX_TURN_CHARS:
            raise HTTPException(
                422,
                f"turn {number} is {len(turn):,} characters: a text is at most "
                f"{MAX_TURN_CHARS:,} characters",
            )


BOX_W, BOX_H, GAP, LEFT = 300, 56, 26, 10


def diagram(script: Script) -> dict[str, Any]:
    """The steps as boxes in a column joined by arrows, for the SVG in script.html: the
    opening, each step (its slot, required or not, the condition it is asked on), the closing."""
    boxes: list[dict[str, Any]] = [
        {"kind": "end", "title": "Opening text", "note": "names the agent, how to opt out"}
    ]
    for i, step in enumerate(script.steps, 1):
        boxes.append(
            {
                "kind": "step" if step.required else "step optional",
                "title": f"{i}. {step.slot}",
                "note": "required" if step.required else "optional",
                "when": f"only if {_condition(step.when)}" if step.when else "",
                "slot": step.slot,
            }
        )
    needs = ", ".join(script.outcomes.appointment_needs)
    boxes.append({"kind": "end", "title": "Appointment or Engagement", "note": f"needs {needs}"})
    for n, box in enumerate(boxes):
        box["y"] = GAP // 2 + n * (BOX_H + GAP)
    return {
        "boxes": boxes,
        "width": BOX_W + 2 * LEFT,
        "height": len(boxes) * (BOX_H + GAP),
        "box_w": BOX_W,
        "box_h": BOX_H,
        "gap": GAP,
        "left": LEFT,
    }
