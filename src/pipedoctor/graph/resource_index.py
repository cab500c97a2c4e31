"""Resources grouped so that a principal's access is decided once per class of equivalent
resources instead of once per resource.

Two resources of one kind get the same decisions for a principal when the same statements of its
policies name them and their resource policies are the same document once each one's own ARN is
replaced by a placeholder. So resources are partitioned by that policy template (roles, whose
trust policy plays no part in `can` decisions, by the services they trust), and a principal's
resource patterns split the partitions further only where they name resources specifically.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipedoctor.graph.inventory import PrincipalEntry, ResourceEntry
from pipedoctor.graph.kinds import KINDS, ResourceKind, arn_service
from pipedoctor.iam import normalize_policy
from pipedoctor.iam.matching import compile_arn_glob, compile_glob, has_wildcard

# Members are bit positions in Python ints: splitting classes by a pattern is two big-int ANDs.
Mask = int


def members_of(mask: Mask) -> list[int]:
    """Bit positions set in the mask, lowest first."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


def _names_some_starting_with(pattern: str, prefix: str) -> bool:
    """Whether the glob names some string that starts with `prefix`, such as the objects of a
    bucket (`arn:aws:s3:::bucket/` + anything). Up to its first `*` the glob must agree with the
    prefix; from there `*` absorbs the rest of the prefix and the free tail satisfies the rest."""
    star = pattern.find("*")
    head = pattern if star < 0 else pattern[:star]
    if star < 0 and len(head) < len(prefix):
        return False
    return all(want in ("?", have) for want, have in zip(head, prefix, strict=False))


def trusted_services(trust_policy: dict[str, Any] | None) -> tuple[str, ...]:
    """Service principals an Allow statement of the trust policy names."""
    if not trust_policy:
        return ()
    found: set[str] = set()
    for statement in normalize_policy(trust_policy).statements:
        if statement.is_allow and statement.principals:
            found.update(value.lower() for value in statement.principals.get("Service", ()))
    return tuple(sorted(found))


def _policy_template(resource: ResourceEntry) -> str:
    text = json.dumps(resource.policy, sort_keys=True).replace(resource.arn, "${SELF}")
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:10]


@dataclass
class _TypeIndex:
    """The members' ARNs as one resource type requests them (`bucket/*`), sorted."""

    arns: list[str]
    members: list[int]  # member index of each ARN
    parts: list[list[str]]  # each ARN split at its first five colons
    # the resource parts (after the fifth colon), sorted, with their positions in `arns`: a
    # pattern with a wildcard before its resource part (`arn:aws:iam::*:role/x/*`) is narrowed
    # by the resource part's literal prefix instead of scanning every member
    tails: list[str] = field(default_factory=list)
    tail_positions: list[int] = field(default_factory=list)


@dataclass
class ResourceGroup:
    """Every resource of one kind in one service, in ARN order."""

    kind: ResourceKind
    service: str
    resources: list[ResourceEntry]
    partition_of: list[str] = field(default_factory=list)  # member index -> partition key
    partitions: dict[str, Mask] = field(default_factory=dict)  # partition key -> members
    services_of: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # roles: partition -> trusted
    _sub_arns: dict[str, _TypeIndex] = field(default_factory=dict)  # type key -> index
    _matches: dict[tuple[str, str], Mask | None] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.kind.name}:{self.service}"

    def sub_arn(self, index: int, suffix: str) -> str:
        return self.resources[index].arn + suffix

    @property
    def full(self) -> Mask:
        return (1 << len(self.resources)) - 1

    def _index(self, type_key: str, suffix: str) -> _TypeIndex:
        index = self._sub_arns.get(type_key)
        if index is None:
            ordered = sorted((r.arn + suffix, i) for i, r in enumerate(self.resources))
            arns = [arn for arn, _ in ordered]
            parts = [arn.split(":", 5) for arn in arns]
            tails = sorted((p[5] if len(p) == 6 else "", n) for n, p in enumerate(parts))
            index = self._sub_arns[type_key] = _TypeIndex(
                arns,
                [i for _, i in ordered],
                parts,
                [tail for tail, _ in tails],
                [n for _, n in tails],
            )
        return index

    def matching(self, type_key: str, suffix: str, pattern: str) -> Mask | None:
        """Members whose ARN (for this resource type) a policy resource pattern names; None when
        it names every member (such a pattern splits nothing).

        ARN glob rules: a wildcard in the first five segments stays inside its segment, one in
        the resource part matches anything. A requested ARN ending in `*` (`bucket/*`) names a
        set, and the pattern names it when it names some of the set."""
        key = (type_key, pattern)
        if key in self._matches:
            return self._matches[key]
        result = self._match(self._index(type_key, suffix), suffix.endswith("*"), pattern)
        if result == self.full:
            result = None
        self._matches[key] = result
        return result

    def _match(self, index: _TypeIndex, set_valued: bool, pattern: str) -> Mask:
        split = pattern.split(":", 5)
        if "${" in pattern or len(split) != 6:
            return 0  # a policy variable (no request context here) or not an ARN
        if not has_wildcard(split[2]) and split[2] != self.service:
            return 0
        # Segments the literal prefix below does not already pin down.
        segments = [
            (position, compile_glob(segment) if has_wildcard(segment) else segment)
            for position, segment in enumerate(split[:5])
            if segment != "*"
        ]
        if not any(has_wildcard(segment) for segment in split[:5]):
            segments = []
        wanted = split[5]
        literal = pattern
        for position, char in enumerate(pattern):
            if char in "*?":
                literal = pattern[:position]
                break
        arns = index.arns
        candidates: Iterable[int] = range(
            bisect.bisect_left(arns, literal), bisect.bisect_right(arns, literal + "\U0010ffff")
        )
        head_wildcard = len(literal) < len(pattern) - len(wanted) - 1
        if head_wildcard and not set_valued:
            tail_literal = wanted
            for position, char in enumerate(wanted):
                if char in "*?":
                    tail_literal = wanted[:position]
                    break
            tails = index.tails
            low = bisect.bisect_left(tails, tail_literal)
            high = bisect.bisect_right(tails, tail_literal + "\U0010ffff")
            candidates = [index.tail_positions[n] for n in range(low, high)]
        if set_valued:
            # Also the sets whose fixed part is a prefix of the literal (`bucket/*` for
            # `bucket/logs/*`).
            shorter = (bisect.bisect_left(arns, literal[:cut] + "*") for cut in range(len(literal)))
            candidates = {
                i for i in shorter if i < len(arns) and literal.startswith(arns[i][:-1])
            }.union(candidates)
        mask = 0
        if not set_valued:
            # One ARN glob regex per candidate instead of segment by segment: its head
            # wildcards cannot cross a colon, so it aligns the segments the same way.
            regex = compile_arn_glob(pattern)
            for i in candidates:
                if regex.fullmatch(arns[i]) is not None:
                    mask |= 1 << index.members[i]
            return mask
        for i in candidates:
            parts = index.parts[i]
            if len(parts) != 6 or not all(
                want == parts[position]
                if isinstance(want, str)
                else want.fullmatch(parts[position])
                for position, want in segments
            ):
                continue
            if _names_some_starting_with(wanted, parts[5][:-1]):
                mask |= 1 << index.members[i]
        return mask


def group_resources(
    resources: dict[str, ResourceEntry], principals: dict[str, PrincipalEntry]
) -> list[ResourceGroup]:
    by_key: dict[tuple[str, str], list[ResourceEntry]] = {}
    for resource in resources.values():
        if resource.kind in KINDS:
            by_key.setdefault((resource.kind, arn_service(resource.arn)), []).append(resource)
    groups = []
    for (kind_name, service), members in sorted(by_key.items()):
        members.sort(key=lambda r: r.arn)
        group = ResourceGroup(KINDS[kind_name], service, members)
        for index, resource in enumerate(members):
            if kind_name == "iam-role":
                principal = principals.get(resource.arn)
                services = trusted_services(principal.trust_policy if principal else None)
                key = "trusts=" + ",".join(services) if services else ""
                group.services_of[key] = services
            else:
                key = f"policy={_policy_template(resource)}" if resource.policy else ""
            group.partition_of.append(key)
            group.partitions[key] = group.partitions.get(key, 0) | (1 << index)
        groups.append(group)
    return groups
