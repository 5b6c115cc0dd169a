"""GitOps reconciler for Sendcloud shop order statuses and their status-category mapping."""

from __future__ import annotations

__version__ = "0.1.0"
