"""Stored skills: compiled from a successful stored run, versioned per tenant and name."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from cristal.errors import InvalidInput, NotFound
from cristal.operator._compile import compile_skill
from cristal.operator._skills import Skill, split_list
from cristal.operator._tables import operator_runs, operator_skills
from cristal.operator._trajectories import get_run, run_records
from cristal.store import Store, new_id, utcnow

__all__ = ["compile_run", "get_skill", "list_skills", "save_skill", "skill_instruction"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}")


def compile_run(store: Store, tenant_id: str, run_id: str, name: str) -> Skill:
    """A skill from a stored successful run: values from its instruction become parameters."""
    run = get_run(store, tenant_id, run_id)
    if run["status"] != "succeeded":
        raise InvalidInput(f"run {run_id} ended {run['status']!r}; only a successful run can "
                           "become a skill. Run the task until it succeeds, then compile that "
                           "run.", run_id=run_id)
    records = [r for r in run_records(store, run_id) if r.source != "start"]
    return compile_skill(run["instruction"], records, name=name)


def save_skill(store: Store, tenant_id: str, skill: Skill,
               source_run_id: str | None = None) -> Skill:
    """Store `skill` as the next version of its name; returns it with that version."""
    if not _NAME.fullmatch(skill.name):
        raise InvalidInput(f"skill name {skill.name!r} is not valid: use letters, digits, '.', "
                           "'_' or '-' (up to 100), starting with a letter or digit.")
    c = operator_skills.c
    with store.write() as conn:
        if source_run_id is not None:
            found = conn.execute(sa.select(operator_runs.c.id).where(
                operator_runs.c.id == source_run_id)).first()
            source_run_id = source_run_id if found else None
        latest = conn.execute(sa.select(sa.func.max(c.version)).where(
            c.tenant_id == tenant_id, c.name == skill.name)).scalar_one_or_none() or 0
        saved = skill.model_copy(update={"version": latest + 1})
        conn.execute(operator_skills.insert().values(
            id=new_id("osk"), tenant_id=tenant_id, name=saved.name, version=saved.version,
            body=saved.model_dump(mode="json"), source_run_id=source_run_id,
            created_at=utcnow()))
    return saved


def get_skill(store: Store, tenant_id: str, name: str,
              version: int | None = None) -> tuple[Skill, dict[str, Any]]:
    """A stored skill (the latest version unless one is named) and its row's facts."""
    c = operator_skills.c
    query = sa.select(operator_skills).where(c.tenant_id == tenant_id, c.name == name)
    if version is not None:
        query = query.where(c.version == version)
    with store.read() as conn:
        row = conn.execute(query.order_by(c.version.desc()).limit(1)).first()
    if row is None:
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"no skill {name!r}{which}; `cristal operator skill list` shows the "
                       "skills, and `cristal operator skill compile RUN_ID --name NAME` makes "
                       "one from a successful run.", skill=name)
    info = {"id": row.id, "source_run_id": row.source_run_id,
            "created_at": row.created_at.isoformat()}
    return Skill.model_validate(row.body), info


def list_skills(store: Store, tenant_id: str) -> list[dict[str, Any]]:
    """The latest version of each of a tenant's skills, by name."""
    c = operator_skills.c
    latest = (sa.select(c.name, sa.func.max(c.version).label("version"))
              .where(c.tenant_id == tenant_id).group_by(c.name).subquery())
    query = (sa.select(operator_skills).join(latest, sa.and_(
        c.name == latest.c.name, c.version == latest.c.version))
        .where(c.tenant_id == tenant_id).order_by(c.name))
    with store.read() as conn:
        rows = conn.execute(query).all()
    out = []
    for row in rows:
        skill = Skill.model_validate(row.body)
        out.append({"name": row.name, "version": row.version, "template": skill.template,
                    "params": [p.name for p in skill.params], "steps": len(skill.steps),
                    "source_run_id": row.source_run_id, "created_at": row.created_at.isoformat()})
    return out


def skill_instruction(skill: Skill, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The instruction a skill's template gives with `params`, and the bound values."""
    known = {p.name: p for p in skill.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InvalidInput(f"skill {skill.name!r} has no parameter {unknown[0]!r}; its "
                           f"parameters: {_describe(skill)}.", skill=skill.name)
    missing = [n for n in known if n not in params]
    if missing:
        raise InvalidInput(f"skill {skill.name!r} needs --param {missing[0]}=VALUE (all: "
                           f"{_describe(skill)}).", skill=skill.name)
    values: dict[str, Any] = {n: split_list(v) if known[n].is_list else v
                              for n, v in params.items()}
    text = skill.template
    for name, value in params.items():
        text = text.replace("{" + name + "}", value)
    return text, values


def _describe(skill: Skill) -> str:
    parts = []
    for p in skill.params:
        example = p.example if isinstance(p.example, str) else ", ".join(p.example)
        parts.append(f"{p.name} (e.g. {example!r})")
    return ", ".join(parts) or "none"
