"""Facts about an incident, flattened to dotted names that rules test and templates use, one module
per entity: the pipeline, the failed action, the build, the images, the ECS deploy and its task
definition. `pipedoctor rules facts` lists them (`diagnose/fact_catalogue.py` reads these modules).

A fact that is unknown is absent, never guessed: rules tell "unknown" from "false".
"""

from __future__ import annotations

from pipedoctor.diagnose.facts.action import action_facts, derived_facts
from pipedoctor.diagnose.facts.build import build_facts
from pipedoctor.diagnose.facts.deploy import DeployScope, deploy_facts, deploy_scope
from pipedoctor.diagnose.facts.pipeline import snapshot_facts
from pipedoctor.diagnose.facts.task import task_definition_facts

__all__ = [
    "DeployScope",
    "action_facts",
    "build_facts",
    "deploy_facts",
    "deploy_scope",
    "derived_facts",
    "snapshot_facts",
    "task_definition_facts",
]
