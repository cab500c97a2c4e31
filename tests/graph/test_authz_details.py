"""Account-wide input: the real dumps in the corpus, CLI-version differences and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from pipedoctor.errors import UserError
from pipedoctor.graph.authz_details import (
    inventory_from_authorization_details,
    load_authorization_details,
)
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.queries import who_can
from tests.graph.accounts import ADMIN, CODEBUILD, account, allow, role, role_arn, trust

DUMPS = "api-responses/iam-get-account-authorization-details"


def _dumps(corpus: Path) -> list[Path]:
    return sorted((corpus / DUMPS).glob("*.json"))


def test_every_real_dump_builds(corpus: Path) -> None:
    dumps = _dumps(corpus)
    assert len(dumps) == 3
    for path in dumps:
        data = json.loads(path.read_text())
        graph = build_graph(authorization=load_authorization_details(path)).graph
        kinds = {kind for _, kind in graph.nodes(data="kind")}
        assert {"role", "policy"} <= kinds, path.name
        roles = [node for node, kind in graph.nodes(data="kind") if kind == "role"]
        users = [node for node, kind in graph.nodes(data="kind") if kind == "user"]
        assert len(roles) == len(data["RoleDetailList"])
        assert len(users) == len(data["UserDetailList"])


def test_real_dump_finds_the_privesc_roles(corpus: Path) -> None:
    path = corpus / DUMPS / "cloudsplaining__examples_files_example.json"
    graph = build_graph(authorization=load_authorization_details(path))
    # The account's privesc test roles: PassRole on * with codebuild/ecs/lambda create rights.
    high = "arn:aws:iam::200611803367:role/privesc-high-priv-service-role"
    passers = {access.principal for access in who_can(graph, "iam:PassRole", high)}
    assert "arn:aws:iam::200611803367:role/fn4-exploitableNotAction-role" in passers
    assumers = {access.principal for access in who_can(graph, "sts:AssumeRole", high)}
    assert assumers  # the trust policy names services that can assume it


def test_the_cli_example_dump(corpus: Path) -> None:
    wrapped = json.loads(
        (
            corpus / "api-responses/aws-cli-examples/iam/get-account-authorization-details.json"
        ).read_text()
    )
    inventory = inventory_from_authorization_details(wrapped["output"])
    assert inventory.principals
    assert all(
        principal.arn.startswith("arn:aws:iam::") for principal in inventory.principals.values()
    )


def test_dangling_policy_reference_is_a_warning(corpus: Path) -> None:
    inventory = load_authorization_details(
        corpus / DUMPS / "cloudsplaining__test_files_example_authz_v2.json"
    )
    assert any(
        "AdministratorAccess" in warning and "not in the file" in warning
        for warning in inventory.warnings
    )


def _url_encoded(data: dict) -> dict:
    """What older CLI versions wrote: every policy document as URL-encoded JSON text."""
    encoded = json.loads(json.dumps(data))
    for entry in encoded["RoleDetailList"]:
        entry["AssumeRolePolicyDocument"] = quote(json.dumps(entry["AssumeRolePolicyDocument"]))
        for inline in entry["RolePolicyList"]:
            inline["PolicyDocument"] = quote(json.dumps(inline["PolicyDocument"]))
    for policy in encoded["Policies"]:
        for version in policy["PolicyVersionList"]:
            version["Document"] = quote(json.dumps(version["Document"]))
    return encoded


def _edges(data: dict | list) -> list[tuple[str, str, str]]:
    graph = build_graph(authorization=inventory_from_authorization_details(data)).graph
    return sorted((source, target, key) for source, target, key in graph.edges(keys=True))


def test_url_encoded_documents_give_the_same_graph(corpus: Path) -> None:
    data = json.loads(
        (corpus / DUMPS / "cloudsplaining__test_files_example-authz-details.json").read_text()
    )
    assert _edges(_url_encoded(data)) == _edges(data)


def test_pages_saved_as_a_list_are_merged() -> None:
    first = account(role("ci", trust(services=CODEBUILD), allow("s3:GetObject")))
    second = account(role("admin", trust(services=CODEBUILD), ADMIN))
    second["IsTruncated"] = False
    inventory = inventory_from_authorization_details([first, second])
    assert set(inventory.principals) == {role_arn("ci"), role_arn("admin")}


def test_odd_entries_become_warnings_not_crashes() -> None:
    data = account(
        role(
            "ci",
            trust(services=CODEBUILD),
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Shiny": 1},
        ),
        role("admin", "%7Bnot-json", ADMIN),
    )
    data["RoleDetailList"].append({"RoleName": "no-arn"})
    data["RoleDetailList"].append("not an object")
    data["GroupDetailList"] = {"oops": True}
    data["UserDetailList"] = [
        {
            "UserName": "u",
            "Arn": "arn:aws:iam::111122223333:user/u",
            "GroupList": ["missing"],
            "PermissionsBoundary": {
                "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/gone"
            },
        }
    ]
    data["IsTruncated"] = True
    data["SomethingNewer"] = [1, 2]
    inventory = inventory_from_authorization_details(data, origin="odd.json")
    text = "\n".join(inventory.warnings)
    for expected in (
        "unreadable policy documents",
        "entries without an Arn",
        "lists of the wrong type",
        "groups not in the file",
        "permission boundaries not in the file",
        "truncated",
        "grammar",
    ):
        assert expected in text
    graph = build_graph(authorization=inventory)
    user = "arn:aws:iam::111122223333:user/u"
    assert not any(key == "can" for _, _, key in graph.graph.out_edges(user, keys=True))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "not valid JSON"),
        (b"[1, 2]", "not a get-account-authorization-details response"),
        (b"{}", "none of UserDetailList"),
        (b'{"Policies": "\xc3\x28"}', "not UTF-8"),
    ],
)
def test_unusable_files_are_one_line_errors(
    tmp_path: Path, run_cli, content: bytes, message: str
) -> None:
    path = tmp_path / "details.json"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        load_authorization_details(path)
    code, out, err = run_cli("graph", "--authorization-details", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
