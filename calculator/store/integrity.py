"""What makes a project file's contents checkable: version digests, the chained audit log, the replay.

Every audit entry carries `hash = SHA-256(previous entry's hash, the entry)`, so an entry edited,
inserted or deleted in the middle breaks the chain at that place. An entry that creates a version
carries the version's digest, so a version's stored case, result and figures are tied to the chain.
The status, current and signed version a household has must be what its entries, replayed in
order, leave it with (`replay`). There is no secret key: anyone who rewrites the whole chain
consistently is not caught here (see the store's `verify_all` and the engine check on money actions).

Changing how a digest or a hash is computed needs a new schema migration that recomputes them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

from calculator.store.base import Status

GENESIS = ""
SAVE_ACTIONS = {"save_draft": Status.DRAFT, "save_computed": Status.COMPUTED, "amend": Status.COMPUTED}
CHANGES = frozenset({*SAVE_ACTIONS, "sign", "pay"})  # what moves a household's status or versions
# The columns of a version its digest covers, in this order (all but the digest-free id).
VERSION_FIELDS = ("household_id", "number", "case_json", "result_json", "schedule_version", "total", "incentive",
                  "replacement_m2", "building_area_m2", "fingerprint", "assessor", "created_at", "actor",
                  "amendment_reason", "amends_version_id")
ENTRY_FIELDS = ("id", "at", "actor", "action", "project_id", "household_id", "version_id", "detail", "version_digest")


def _sha(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def version_digest(row: dict[str, Any]) -> str:
    """SHA-256 over a stored version's columns (VERSION_FIELDS), as the program wrote them."""
    return _sha(*(row[name] for name in VERSION_FIELDS))


def entry_hash(previous: str, entry: dict[str, Any]) -> str:
    """The chained hash of an audit entry (ENTRY_FIELDS, `detail` as its stored JSON text)."""
    return _sha(previous, *(entry[name] for name in ENTRY_FIELDS))


def broken_links(entries: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Entries (oldest first, with their stored `hash`) whose hash does not follow from the one before,
    each with that previous entry: an edit, insertion or deletion between the two."""
    broken, previous = [], None
    for entry in entries:
        if entry["hash"] != entry_hash(previous["hash"] if previous else GENESIS, entry):
            broken.append((entry, previous))
        previous = entry
    return broken


@dataclass(frozen=True)
class Implied:
    """What a household's audit entries leave it with."""

    status: Status | None = None
    current_version_id: int | None = None
    signed_version_id: int | None = None
    version_digests: tuple[tuple[int, str], ...] = ()
    register: tuple[str, str, str] | None = None  # (户号, 户主, 地址) as last registered or corrected
    changed_after_payment: bool = False  # saved, signed or paid again once paid: never by the program

    def digest_of(self, version_id: int) -> str | None:
        """The digest recorded when the version was saved (None: no entry saved it)."""
        return dict(self.version_digests).get(version_id)


def replay(entries: Iterable[dict[str, Any]]) -> Implied:
    """The state one household's entries (oldest first) leave it in.

    Entries carried over by a restore (`restored_over` in their detail) are history of the replaced
    file and change nothing, except a payment: a restore keeps a paid case paid (a `pay` entry it did not keep as
    one, `payment_not_kept`, is history too). A paid case is never changed: a save, signature or payment after its
    payment is `changed_after_payment` (a paid household set back by hand was signed and paid again, and its status
    was what its entries implied)."""
    status, current, signed, digests, register, changed_after_payment = None, None, None, {}, None, False
    for entry in entries:
        action, version_id = entry["action"], entry["version_id"]
        detail = entry.get("parsed_detail") or {}
        if detail.get("restored_over"):
            if action == "pay" and not detail.get("payment_not_kept"):
                status, current, signed = Status.PAID, version_id, version_id
            continue
        if status is Status.PAID and action in CHANGES:
            changed_after_payment = True
        if action in ("add_household", "edit_household") and "number" in detail:  # older files recorded none
            register = (str(detail.get("number", "")), str(detail.get("head", "")), str(detail.get("address", "")))
        if action == "add_household":
            status = Status.DRAFT
        elif action in SAVE_ACTIONS:
            status, current = SAVE_ACTIONS[action], version_id
            digests[version_id] = entry["version_digest"]
        elif action == "sign":
            status, signed = Status.SIGNED, version_id
        elif action == "pay":
            status = Status.PAID
    return Implied(status, current, signed, tuple(digests.items()), register, changed_after_payment)
