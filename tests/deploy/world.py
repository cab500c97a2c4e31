"""Failed ECS deploys built in a moto server, plus the replies moto cannot give.

In moto (region `eu-west-1`, so the collect tests' region stays as they expect): two Fargate
services each behind a standard `ECS` deploy action, and one blue/green service behind a
`CodeDeployToECS` action, with their task definitions, execution roles and stopped tasks.

- `web`: same-account image, execution role without any ECR permission; its task stopped with
  the ECR auth denial.
- `worker`: image in another account, execution role with AmazonECSTaskExecutionRolePolicy; its
  task stopped with a 403 from the other account's registry.
- `api`: CODE_DEPLOY controller; the deployment failed on the listener / target group.

moto 5.2 has no failed executions, ListActionExecutions, stopped tasks with stop codes and
container reasons (its RunTask fails for awsvpc tasks), failed CodeDeploy deployments or deployment
targets: the `*_replies()` functions give those as Stubber replies shaped like the real ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from tests.collect.world import ACCOUNT, policy, trust

REGION = "eu-west-1"
OTHER_ACCOUNT = "444455556666"
BUCKET = f"deploy-artifacts-{REGION}-{ACCOUNT}"
PIPELINE_ROLE = "deploy-pipelines-role"
PIPELINE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{PIPELINE_ROLE}"
TASK_ROLE = "app-task-role"
TASK_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{TASK_ROLE}"
BARE_EXECUTION_ROLE = "web-execution-role"  # logs only: no ECR, no secrets
STANDARD_EXECUTION_ROLE = "worker-execution-role"  # AmazonECSTaskExecutionRolePolicy
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/db-AbCdEf"
STARTED = datetime(2026, 5, 9, 9, 0, tzinfo=UTC)
DEPLOYMENT_ID = "d-4F7QX2K9B"
LISTENER_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/api/50dc6c495c0c9188/f2f7dc8efc522ab2"
ECR_AUTH_DENIED = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 "
    f"time(s): AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/"
    f"{BARE_EXECUTION_ROLE}/8f1e2d3c4b5a is not authorized to perform: ecr:GetAuthorizationToken "
    "on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action"
)
FORBIDDEN_PULL = (
    "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve "
    f"ref {OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shared/worker:2.1.0: pulling from host "
    f"{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com failed with status code [manifests 2.1.0]: "
    "403 Forbidden"
)
LISTENER_ERROR = (
    "The ELB could not be updated due to the following error: Primary taskset target group must "
    f"be behind listener {LISTENER_ARN}"
)


@dataclass(frozen=True)
class Scenario:
    pipeline: str
    cluster: str
    service: str
    family: str
    execution_role: str
    image: str
    stopped_reason: str


WEB = Scenario(
    "web-deploy",
    "web-cluster",
    "web",
    "web",
    BARE_EXECUTION_ROLE,
    f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1.4.0",
    ECR_AUTH_DENIED,
)
WORKER = Scenario(
    "worker-deploy",
    "worker-cluster",
    "worker",
    "worker",
    STANDARD_EXECUTION_ROLE,
    f"{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shared/worker:2.1.0",
    FORBIDDEN_PULL,
)
API = Scenario(
    "api-bluegreen",
    "api-cluster",
    "api",
    "api",
    STANDARD_EXECUTION_ROLE,
    f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:3.0.0",
    "",
)


@dataclass
class DeployWorld:
    task_definitions: dict[str, str]  # family -> ARN


def build_deploy_world(endpoint_url: str) -> DeployWorld:
    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=endpoint_url)

    iam = client("iam")
    for name, service in [
        (PIPELINE_ROLE, "codepipeline.amazonaws.com"),
        (TASK_ROLE, "ecs-tasks.amazonaws.com"),
        (BARE_EXECUTION_ROLE, "ecs-tasks.amazonaws.com"),
        (STANDARD_EXECUTION_ROLE, "ecs-tasks.amazonaws.com"),
    ]:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(service))
    iam.put_role_policy(
        RoleName=PIPELINE_ROLE,
        PolicyName="deploy",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": ["ecs:*", "codedeploy:*"], "Resource": "*"}
        ),
    )
    iam.put_role_policy(
        RoleName=BARE_EXECUTION_ROLE,
        PolicyName="logs",
        PolicyDocument=policy(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/*",
            }
        ),
    )
    iam.attach_role_policy(RoleName=STANDARD_EXECUTION_ROLE, PolicyArn=EXECUTION_POLICY)
    client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )

    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}

    ecs = client("ecs")
    definitions: dict[str, str] = {}
    for scenario in (WEB, WORKER, API):
        ecs.create_cluster(clusterName=scenario.cluster)
        arn = ecs.register_task_definition(**task_definition(scenario))["taskDefinition"][
            "taskDefinitionArn"
        ]
        definitions[scenario.family] = arn
        controller = "CODE_DEPLOY" if scenario is API else "ECS"
        ecs.create_service(
            cluster=scenario.cluster,
            serviceName=scenario.service,
            taskDefinition=arn,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=network,
            deploymentController={"type": controller},
        )

    codedeploy = client("codedeploy")
    codedeploy.create_application(applicationName="api", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="api",
        deploymentGroupName="api-prod",
        serviceRoleArn=PIPELINE_ROLE_ARN,
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        ecsServices=[{"serviceName": API.service, "clusterName": API.cluster}],
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "api-blue"}, {"name": "api-green"}],
                    "prodTrafficRoute": {"listenerArns": [LISTENER_ARN]},
                }
            ]
        },
    )
    pipelines = client("codepipeline")
    pipelines.create_pipeline(pipeline=pipeline_definition(WEB, ecs_action(WEB)))
    pipelines.create_pipeline(pipeline=pipeline_definition(WORKER, ecs_action(WORKER)))
    pipelines.create_pipeline(pipeline=pipeline_definition(API, bluegreen_action()))
    return DeployWorld(definitions)


def task_definition(scenario: Scenario) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": scenario.service,
        "image": scenario.image,
        "essential": True,
        "memory": 512,  # moto sums container memory (Fargate accepts it too)
        "portMappings": [{"containerPort": 8080}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": f"/ecs/{scenario.family}",
                "awslogs-region": REGION,
                "awslogs-stream-prefix": "ecs",
                "awslogs-create-group": "true",
            },
        },
    }
    if scenario is WEB:
        container["secrets"] = [{"name": "DB_PASSWORD", "valueFrom": f"{SECRET_ARN}:password::"}]
    return {
        "family": scenario.family,
        "taskRoleArn": TASK_ROLE_ARN,
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{scenario.execution_role}",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        "containerDefinitions": [container],
    }


def ecs_action(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": "Deploy",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
        "configuration": {
            "ClusterName": scenario.cluster,
            "ServiceName": scenario.service,
            "FileName": "imagedefinitions.json",
        },
        "inputArtifacts": [{"name": "SourceArtifact"}],
    }


def bluegreen_action() -> dict[str, Any]:
    return {
        "name": "Deploy",
        "actionTypeId": {
            "category": "Deploy",
            "owner": "AWS",
            "provider": "CodeDeployToECS",
            "version": "1",
        },
        "configuration": {
            "ApplicationName": "api",
            "DeploymentGroupName": "api-prod",
            "TaskDefinitionTemplateArtifact": "SourceArtifact",
            "AppSpecTemplateArtifact": "SourceArtifact",
        },
        "inputArtifacts": [{"name": "SourceArtifact"}],
    }


def pipeline_definition(scenario: Scenario, deploy: dict[str, Any]) -> dict[str, Any]:
    source = {
        "name": "Source",
        "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
        "configuration": {"S3Bucket": BUCKET, "S3ObjectKey": f"{scenario.pipeline}.zip"},
        "outputArtifacts": [{"name": "SourceArtifact"}],
    }
    return {
        "name": scenario.pipeline,
        "roleArn": PIPELINE_ROLE_ARN,
        "pipelineType": "V2",
        "artifactStore": {"type": "S3", "location": BUCKET},
        "stages": [
            {"name": "Source", "actions": [source]},
            {"name": "Deploy", "actions": [deploy]},
        ],
    }


def execution_id(scenario: Scenario) -> str:
    return {"web-deploy": "7b1c", "worker-deploy": "8c2d", "api-bluegreen": "9d3e"}[
        scenario.pipeline
    ] + "0000-1111-4222-8333-444455556666"


def failed_deploy_replies(
    scenario: Scenario, summary: str, external_id: str = ""
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """One failed execution whose Deploy action failed with `summary`."""
    run = execution_id(scenario)
    declared = bluegreen_action() if scenario is API else ecs_action(scenario)
    result: dict[str, Any] = {
        "externalExecutionSummary": summary,
        "errorDetails": {"code": "JobFailed", "message": summary},
    }
    if external_id:
        result["externalExecutionId"] = external_id
    return {
        ("codepipeline", "list_pipeline_executions"): [
            {
                "expected": {"pipelineName": scenario.pipeline, "maxResults": 1},
                "response": {
                    "pipelineExecutionSummaries": [
                        {
                            "pipelineExecutionId": run,
                            "status": "Failed",
                            "startTime": STARTED,
                            "lastUpdateTime": STARTED + timedelta(minutes=20),
                            "trigger": {"triggerType": "StartPipelineExecution"},
                        }
                    ]
                },
            }
        ],
        ("codepipeline", "list_action_executions"): [
            {
                "expected": {
                    "pipelineName": scenario.pipeline,
                    "filter": {"pipelineExecutionId": run},
                },
                "response": {
                    "actionExecutionDetails": [
                        {
                            "pipelineExecutionId": run,
                            "actionExecutionId": f"{run[:8]}-aaaa-4bbb-8ccc-000000000002",
                            "pipelineVersion": 1,
                            "stageName": "Deploy",
                            "actionName": "Deploy",
                            "startTime": STARTED + timedelta(minutes=1),
                            "lastUpdateTime": STARTED + timedelta(minutes=20),
                            "status": "Failed",
                            "input": {
                                "actionTypeId": declared["actionTypeId"],
                                "configuration": declared["configuration"],
                                "resolvedConfiguration": declared["configuration"],
                                "region": REGION,
                                "inputArtifacts": [],
                            },
                            "output": {"executionResult": result, "outputVariables": {}},
                        }
                    ]
                },
            }
        ],
    }


def codedeploy_replies(task_definition_arn: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The failed blue/green deployment and its ECS target, as CodeDeploy returns them."""
    appspec = json.dumps(
        {
            "version": 0.0,
            "Resources": [
                {
                    "TargetService": {
                        "Type": "AWS::ECS::Service",
                        "Properties": {
                            "TaskDefinition": task_definition_arn,
                            "LoadBalancerInfo": {"ContainerName": "api", "ContainerPort": 8080},
                        },
                    }
                }
            ],
        }
    )
    target_id = f"{API.cluster}:{API.service}"
    return {
        ("codedeploy", "get_deployment"): [
            {
                "expected": {"deploymentId": DEPLOYMENT_ID},
                "response": {
                    "deploymentInfo": {
                        "applicationName": "api",
                        "deploymentGroupName": "api-prod",
                        "deploymentId": DEPLOYMENT_ID,
                        "status": "Failed",
                        "errorInformation": {"code": "ECS_UPDATE_ERROR", "message": LISTENER_ERROR},
                        "creator": "user",
                        "computePlatform": "ECS",
                        "revision": {
                            "revisionType": "AppSpecContent",
                            "appSpecContent": {"content": appspec},
                        },
                        "deploymentStyle": {
                            "deploymentType": "BLUE_GREEN",
                            "deploymentOption": "WITH_TRAFFIC_CONTROL",
                        },
                    }
                },
            }
        ],
        ("codedeploy", "list_deployment_targets"): [
            {"expected": {"deploymentId": DEPLOYMENT_ID}, "response": {"targetIds": [target_id]}}
        ],
        ("codedeploy", "batch_get_deployment_targets"): [
            {
                "expected": {"deploymentId": DEPLOYMENT_ID, "targetIds": [target_id]},
                "response": {
                    "deploymentTargets": [
                        {
                            "deploymentTargetType": "ECSTarget",
                            "ecsTarget": {
                                "deploymentId": DEPLOYMENT_ID,
                                "targetId": target_id,
                                "targetArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{API.cluster}/{API.service}",
                                "status": "Failed",
                                "lifecycleEvents": [
                                    {"lifecycleEventName": "BeforeInstall", "status": "Succeeded"},
                                    {
                                        "lifecycleEventName": "Install",
                                        "status": "Failed",
                                        "diagnostics": {
                                            "errorCode": "UnknownError",
                                            "message": LISTENER_ERROR,
                                        },
                                    },
                                    {"lifecycleEventName": "AfterInstall", "status": "Skipped"},
                                ],
                                "taskSetsInfo": [
                                    {
                                        "identifer": "ecs-svc/1234567890",
                                        "status": "PRIMARY",
                                        "trafficWeight": 100.0,
                                        "targetGroup": {"name": "api-blue"},
                                        "taskSetLabel": "Blue",
                                    }
                                ],
                            },
                        }
                    ]
                },
            }
        ],
    }


def stopped_task_arn(scenario: Scenario) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{scenario.cluster}/{execution_id(scenario)[:4]}a9e3c1b24d5f8e7a6b0c"


def stopped_task_replies(
    scenario: Scenario, task_definition_arn: str, describe: bool = True
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The service's stopped task, as ListTasks and DescribeTasks return it for a failed start."""
    arn = stopped_task_arn(scenario)
    replies: dict[tuple[str, str], list[dict[str, Any]]] = {
        ("ecs", "list_tasks"): [
            {
                "expected": {
                    "cluster": scenario.cluster,
                    "serviceName": scenario.service,
                    "desiredStatus": "STOPPED",
                    "maxResults": 10,
                },
                "response": {"taskArns": [arn]},
            }
        ]
    }
    if not describe:
        return replies
    task = {
        "taskArn": arn,
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{scenario.cluster}",
        "taskDefinitionArn": task_definition_arn,
        "group": f"service:{scenario.service}",
        "startedBy": "ecs-svc/4712967503452136044",
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
        "lastStatus": "STOPPED",
        "desiredStatus": "STOPPED",
        "stopCode": "TaskFailedToStart",
        "stoppedReason": scenario.stopped_reason,
        "createdAt": STARTED + timedelta(minutes=2),
        "stoppingAt": STARTED + timedelta(minutes=3),
        "stoppedAt": STARTED + timedelta(minutes=3, seconds=5),
        "cpu": "256",
        "memory": "512",
        "containers": [
            {
                "containerArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container/{scenario.cluster}/5e1f",
                "taskArn": arn,
                "name": scenario.service,
                "image": scenario.image,
                "lastStatus": "STOPPED",
                "reason": "CannotPullContainerError: pull image manifest has been retried 7 time(s)",
            }
        ],
    }
    replies[("ecs", "describe_tasks")] = [
        {
            "expected": {"cluster": scenario.cluster, "tasks": [arn]},
            "response": {"tasks": [task], "failures": []},
        }
    ]
    return replies
