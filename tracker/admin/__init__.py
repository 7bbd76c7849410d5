"""The Django admin, by sub-domain: reference data, accounts (users, roles, memberships, audit trail) and the
workflow's supporting records (reporting assignments, evidence, notifications). Importing registers them."""

from tracker.admin import accounts, reference, validation, workflow

__all__ = ["accounts", "reference", "validation", "workflow"]
