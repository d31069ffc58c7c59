"""Scripts over HTTP: anyone signed in reads; authors and admins upload and publish."""

from __future__ import annotations

from typing import Annotated, Literal, cast

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel

from api.deps import ContainerDep, UowDep, UserDep
from api.services import scripts as versions

router = APIRouter(tags=["scripts"])
Author = UserDep  # authors and admins (api/access.py)
Name = Annotated[str, Path(max_length=60, description="a script name, e.g. buyer")]
Version = Annotated[int, Path(ge=1, le=2**31 - 1)]  # the conversations column is a 32-bit INTEGER


State = Literal["live", "draft", "earlier"]


class VersionOut(BaseModel):
    """One version of a script; ``published`` is the one new conversations get.

    ``state``: live (published), draft (newer than the live one: no lead gets it until it is
    published) or earlier (older than the live one).
    """

    version: int
    published: bool
    state: State


class ScriptOut(BaseModel):
    """A script and its versions, oldest first."""

    name: str
    versions: list[VersionOut]


class ScriptVersionOut(BaseModel):
    """One version's YAML and each template's SMS encoding and segments."""

    name: str
    version: int
    published: bool
    state: State
    yaml: str
    segments: list[dict[str, object]]


class PublishOut(BaseModel):
    """Which version is now published, and which was before."""

    name: str
    published: int
    previous: int


class StatsOut(BaseModel):
    """What one version did: conversations, and how many ended in each result."""

    name: str
    version: int
    conversations: int
    appointments: int
    engagements: int
    opt_outs: int
    dead: int


@router.get("/scripts", response_model=list[ScriptOut])
def list_scripts(container: ContainerDep, _user: UserDep) -> list[ScriptOut]:
    """Every script with its versions: which one is live, which are drafts."""
    return [
        ScriptOut(
            name=name,
            versions=[
                VersionOut(version=v.version, published=v.published, state=cast(State, v.state))
                for v in found
            ],
        )
        for name, found in versions.list_scripts(container).items()
    ]


@router.get("/scripts/{name}/{version}", response_model=ScriptVersionOut)
def get_version(
    name: Name, version: Version, container: ContainerDep, _user: UserDep
) -> ScriptVersionOut:
    """One version's YAML and its segment report."""
    script, text = versions.get_version(container, name, version)
    live = versions.published_version(container.scripts.root, name)
    return ScriptVersionOut(
        name=name,
        version=version,
        published=live == version,
        state=cast(State, versions.state_of(version, live)),
        yaml=text,
        segments=versions.segments(script),
    )


@router.post("/scripts/{name}/versions", response_model=ScriptVersionOut, status_code=201)
def upload_version(
    name: Name,
    container: ContainerDep,
    uow: UowDep,
    user: Author,
    yaml: Annotated[
        str,
        Body(
            media_type="text/plain",
            max_length=200_000,
            description="the script's YAML; its version must be the next one",
        ),
    ],
) -> ScriptVersionOut:
    """Upload the next version of a script, as a draft (publish makes it live); errors come
    back located: [{line, col, message}]."""
    script = versions.upload(container, uow.session, name, yaml, actor_id=user.id)
    uow.commit()
    return ScriptVersionOut(
        name=name,
        version=script.version,
        published=False,
        state="draft",
        yaml=yaml,
        segments=versions.segments(script),
    )


@router.post("/scripts/{name}/{version}/publish", response_model=PublishOut)
def publish(
    name: Name, version: Version, container: ContainerDep, uow: UowDep, user: Author
) -> PublishOut:
    """New conversations start on this version; running ones stay on theirs."""
    previous = versions.publish(container, uow.session, name, version, actor_id=user.id)
    uow.commit()
    return PublishOut(name=name, published=version, previous=previous)


@router.get("/scripts/{name}/{version}/stats", response_model=StatsOut)
def stats(
    name: Name, version: Version, container: ContainerDep, uow: UowDep, _user: UserDep
) -> StatsOut:
    """Conversations on this version, and their appointments, engagements and opt-outs."""
    versions.get_version(container, name, version)  # 404 for a version that does not exist
    return StatsOut(name=name, version=version, **versions.stats(uow.session, name, version))
