"""Named Python predicates for posture rules: the escape hatch for logic YAML cannot say.

A predicate takes the snapshot and the rule's `params` and yields hits: facts for the rule's
templates, evidence lines, where, and about what. The predicates live in `diagnose/posture/`, one
module per topic; this registry is what rules name them by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.diagnose.posture import (
    artifacts,
    images,
    policies,
    privileged,
    resource_policies,
    source_connections,
    syntax,
    variables,
)
from pipedoctor.model import Snapshot

Predicate = Callable[[Snapshot, dict[str, Any]], Iterator[Hit]]

PREDICATES: dict[str, Predicate] = {
    "admin_equivalent_grant": policies.admin_equivalent_grant,
    "service_wildcard_grant": policies.service_wildcard_grant,
    "write_beyond_use_grant": policies.write_beyond_use_grant,
    "docker_hub_base_image": images.docker_hub_base_image,
    "buildspec_yaml_error": syntax.buildspec_yaml_error,
    "privileged_mode_needed": privileged.privileged_mode_needed,
    "privileged_mode_unneeded": privileged.privileged_mode_unneeded,
    "ambiguous_link": syntax.ambiguous_link,
    "docker_without_privileged_mode": privileged.docker_without_privileged_mode,
    "custom_image_without_dockerd": privileged.custom_image_without_dockerd,
    "reserved_env_var_prefix": variables.reserved_env_var_prefix,
    "undefined_build_variable": variables.undefined_build_variable,
    "tag_variable_without_tag_trigger": variables.tag_variable_without_tag_trigger,
    "full_clone_missing_permission": source_connections.full_clone_missing_permission,
    "connection_prefix_mismatch": source_connections.connection_prefix_mismatch,
    "ecr_push_without_login": images.ecr_push_without_login,
    "image_without_registry": images.image_without_registry,
    "repository_uri_as_name": images.repository_uri_as_name,
    "deploy_file_not_in_artifact": artifacts.deploy_file_not_in_artifact,
    "runtime_not_in_image": images.runtime_not_in_image,
    "inline_buildspec_yaml_error": syntax.inline_buildspec_yaml_error,
    "definition_syntax_error": syntax.definition_syntax_error,
    "resource_policy_open_to_anyone": resource_policies.open_to_anyone,
    "resource_policy_open_to_other_accounts": resource_policies.open_to_other_accounts,
}
