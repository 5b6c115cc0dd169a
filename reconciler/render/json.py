"""The JSON rendering: a versioned document for machines, and the saved plan file's content.

``schemas/plan.schema.json`` describes it. Version 1 holds, besides the summary:

- per integration: the changes (``create`` / ``update`` / ``delete`` / ``remap``), the exact API
  writes in order (with their request bodies), warnings and unsafe reasons, the desired state,
  the live state the plan was computed from and its ``live_checksum``;
- the integrations whose live state could not be read (``failures``);
- the project file's rules the desired state breaks (``policy_violations``, located);
- ``checksum``: sha256 of the canonical document without that field, so an edited plan file is
  refused (see ``reconciler.planfile``).

It never holds a credential: a plan knows none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

from reconciler import __version__
from reconciler.changes import Change, Counts
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan, Write
from reconciler.render.common import Mode, summary_line, writes_line
from reconciler.sendcloud.bodies import PostMappingBody, PostStatusesBody
from reconciler.targeting import Selection

FORMAT_VERSION: Final = 1
GENERATOR: Final = f"reconciler {__version__}"
CHECKSUM_FIELD: Final = "checksum"

Document = dict[str, Any]


def render_json(plan: Plan, *, writes_per_minute: float, mode: Mode = "plan") -> str:
    """The document as indented JSON with sorted keys, ASCII only, ending with a newline."""
    document = plan_document(plan, writes_per_minute=writes_per_minute, mode=mode)
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def plan_document(plan: Plan, *, writes_per_minute: float, mode: Mode = "plan") -> Document:
    """The version-1 document as a dict, its ``checksum`` included."""
    summary = plan.summary()
    document: Document = {
        "format_version": FORMAT_VERSION,
        "generator": GENERATOR,
        "mode": mode,
        "summary": {
            "creates": summary.creates,
            "updates": summary.updates,
            "deletes": summary.deletes,
            "mapping_changes": summary.mapping_changes,
            "changed": summary.changed,
            "unchanged": summary.unchanged,
            "failed": summary.failed,
            "writes": summary.writes,
            "writes_per_minute": writes_per_minute,
            "write_seconds": summary.write_seconds(writes_per_minute),
            "text": summary_line(plan, mode),
            "writes_text": writes_line(plan, writes_per_minute, mode),
        },
        "has_changes": plan.has_changes,
        "safe": plan.is_safe,
        "integrations": [integration_document(item) for item in plan.integrations],
        "failures": [failure_document(failure) for failure in plan.failures],
        "selection": selection_document(plan.selection),
        "policy_violations": [
            {
                "path": v.path,
                "line": v.line,
                "col": v.col,
                "severity": v.severity,
                "rule": v.rule,
                "rule_origin": v.rule_origin,
                "detail": v.detail,
                "message": v.message,
                "integration_id": v.integration_id,
                "source": v.source,
            }
            for v in plan.policy
        ],
    }
    document[CHECKSUM_FIELD] = document_checksum(document)
    return document


def document_checksum(document: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``document`` without its ``checksum`` field."""
    content = {key: value for key, value in document.items() if key != CHECKSUM_FIELD}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def integration_document(item: IntegrationPlan) -> Document:
    """One integration: counts, changes, writes with bodies, warnings, both states."""
    counts = Counts.of(item.changes)
    return {
        "integration_id": item.integration_id,
        "source": item.source,
        "account": item.account,
        "account_size": item.account_size,
        "status": "changes" if item.has_changes else "in_sync",
        "summary": {
            "creates": counts.creates,
            "updates": counts.updates,
            "deletes": counts.deletes,
            "mapping_changes": counts.mapping_changes,
            "writes": len(item.writes),
        },
        "changes": [change_document(change) for change in item.changes],
        "writes": [write_document(item.integration_id, write) for write in item.writes],
        "warnings": list(item.warnings),
        "unsafe_reasons": [str(reason) for reason in item.unsafe_reasons],
        "invalid_live_mapping": [
            {"category": category.value, "external_id": external_id}
            for category, external_id in item.invalid_live_mapping
        ],
        "dangling_mapping": [
            {"category": category.value, "external_id": external_id}
            for category, external_id in item.dangling_mapping
        ],
        "safety": dict(item.safety.__dict__),
        "unmanaged": list(item.unmanaged),
        "provenance": [
            {"location": list(location), "origin": origin}
            for location, origin in sorted(item.provenance.items())
        ],
        "desired": item.desired.model_dump(mode="json"),
        "live": item.live.model_dump(mode="json"),
        "live_checksum": item.live_checksum,
    }


def change_document(change: Change) -> Document:
    """One change: its ``action`` and what it changes (the schema's ``change`` definitions)."""
    if change.target == "mapping":
        return {
            "action": change.action,
            "category": change.category.value,
            "old": change.old,
            "new": change.new,
        }
    if change.action == "update":
        return {
            "action": change.action,
            "external_id": change.external_id,
            "translation_changes": [
                {"language": t.language, "kind": t.kind, "old": t.old, "new": t.new}
                for t in change.translations
            ],
        }
    return {
        "action": change.action,
        "external_id": change.external_id,
        "translations": dict(change.translations),
    }


def write_document(integration_id: int, write: Write) -> Document:
    """One POST: its endpoint, why it is made, and the exact request body."""
    body: PostStatusesBody | PostMappingBody
    if write.endpoint == "statuses":
        body = PostStatusesBody.build(integration_id, write.statuses or {})
    else:
        body = PostMappingBody.build(integration_id, write.mapping or {})
    return {
        "endpoint": write.endpoint,
        "purpose": write.purpose,
        "body": body.model_dump(mode="json"),
    }


def failure_document(failure: IntegrationFailure) -> Document:
    """An integration whose live state could not be read, and why."""
    return {
        "integration_id": failure.integration_id,
        "source": failure.source,
        "account": failure.account,
        "message": failure.message,
    }


def selection_document(selection: Selection) -> Document:
    """What a targeted plan chose and left out (every integration left out, with its reason)."""
    return {
        "criteria": list(selection.criteria),
        "reasons": [{"integration_id": i, "reason": why} for i, why in selection.reasons],
        "left_out": [
            {
                "integration_id": item.integration_id,
                "source": item.source,
                "account": item.account,
                "reason": item.reason,
            }
            for item in selection.left_out
        ],
        "notes": list(selection.notes),
    }
