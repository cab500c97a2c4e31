"""The CI-role policy check probes the escalations the graph's technique table lists."""

from __future__ import annotations

from pipedoctor.diagnose.posture.policies import escalation_probes
from pipedoctor.graph.techniques import load_techniques


def test_probes_come_from_the_technique_table() -> None:
    probes = {action: kind for action, kind, _ in escalation_probes()}
    assert probes == {
        "iam:PutRolePolicy": "role",
        "iam:AttachRolePolicy": "role",
        "iam:CreatePolicyVersion": "policy",
        "iam:UpdateAssumeRolePolicy": "role",
        "iam:PassRole": "role",
        "sts:AssumeRole": "role",
    }
    table_actions = {action for technique in load_techniques() for action in technique.actions}
    one_call = set(probes) - {"iam:PassRole", "sts:AssumeRole"}
    assert one_call <= table_actions
    targets = {technique.target for technique in load_techniques()}
    assert {"passed-roles", "assumable-roles"} <= targets


def test_user_only_and_conditional_techniques_are_not_probed_on_roles() -> None:
    probed = {action for action, _, _ in escalation_probes()}
    # A role cannot put a user policy on itself; SetDefaultPolicyVersion needs a second version.
    assert not probed & {"iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:SetDefaultPolicyVersion"}
    assert all(gives for _, _, gives in escalation_probes())
