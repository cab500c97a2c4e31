"""`pipedoctor policy apply|rollback`: the generated policy onto the role, and back."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.commands.common import add_aws_options, aws_options
from pipedoctor.commands.policy_generate import add_policy_inputs, generated_policy
from pipedoctor.errors import ExitCode, UserError

APPLY_DESCRIPTION = """Apply the generated policy: create the customer managed policy
/pipedoctor/<role>-least-privilege (or add a version to it), attach it to the role, then detach the
role's managed policies that hold only Allow statements. Kept: policies with a Deny statement,
policies whose document cannot be read, --keep, the permissions boundary and inline policies. The
plan (write, attach, detach, keep, and why) is printed and saved in --record before anything
changes; nothing is written without --yes. Refused when the proof fails. Running it again with
the same inputs changes nothing. A failed change undoes the ones before it.
`pipedoctor policy rollback --record FILE --yes` undoes exactly what the record says was done."""


def register_apply(actions: Any) -> None:
    parser = actions.add_parser(
        "apply",
        help="attach the generated policy and detach what it replaces (needs --yes)",
        description=APPLY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_policy_inputs(parser)
    parser.add_argument("--policy-name", metavar="NAME", help="default: <role>-least-privilege")
    parser.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="ARN",
        help="a managed policy to leave attached",
    )
    parser.add_argument("--record", metavar="FILE", help="default: pipedoctor-apply-<role>.json")
    parser.add_argument("--yes", action="store_true", help="really change the role")
    parser.set_defaults(func=run_apply)


def register_rollback(actions: Any) -> None:
    parser = actions.add_parser(
        "rollback",
        help="undo `policy apply` from its record (needs --yes)",
        description="Undo, newest first, every change the record says `policy apply` made: "
        "re-attach what it detached, detach and delete (or restore the previous version of) the "
        "policy it wrote. Changes already undone are skipped: running it twice does nothing.",
    )
    parser.add_argument(
        "--record", required=True, metavar="FILE", help="the file `policy apply` wrote"
    )
    parser.add_argument("--yes", action="store_true", help="really change the role")
    add_aws_options(parser)
    parser.set_defaults(func=run_rollback)


def _record_path(args: argparse.Namespace, role_name: str) -> str:
    return args.record or f"pipedoctor-apply-{role_name}.json"


def _read_record(path: str) -> Any:
    from pipedoctor.writes.role_policies import ApplyRecord

    try:
        with open(path, encoding="utf-8") as stream:
            return ApplyRecord.loads(stream.read())
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    except (ValueError, TypeError) as error:
        raise UserError(f"{path}: not a pipedoctor apply record ({error})") from None


def _saver(path: str) -> Any:
    from pipedoctor.model.snapshot import write_atomically

    return lambda record: write_atomically(path, record.dumps())


def run_apply(args: argparse.Namespace) -> int:
    import os

    from pipedoctor.app.live import client_for
    from pipedoctor.knowledge.arns import arn_account, arn_partition
    from pipedoctor.leastpriv.apply_plan import plan_apply
    from pipedoctor.writes.role_policies import (
        ChangeFailed,
        apply_plan,
        policy_arn,
        read_role_state,
    )

    generated = generated_policy(args)
    sys.stderr.write(generated.report())
    if not generated.proof.holds:
        print("pipedoctor: not applying: the proof failed (see above)", file=sys.stderr)
        return 1
    role = generated.role
    name = args.policy_name or f"{role.name}-least-privilege"
    target = policy_arn(arn_account(role.arn), name, arn_partition(role.arn))
    record_path = _record_path(args, role.name)
    iam = client_for("iam", aws_options(args))
    try:
        attached, current = read_role_state(iam, role.name, target)
    except ChangeFailed as error:
        raise UserError(str(error), ExitCode.AWS_UNAVAILABLE) from None
    plan = plan_apply(
        role.name,
        target,
        generated.document,
        attached,
        current,
        args.keep,
        role.permissions_boundary.arn if role.permissions_boundary else None,
        sorted(role.inline_policies),
    )
    for step in plan.steps:
        print(step.line())
    if plan.changes_nothing:
        print(f"nothing to do: {role.name} already has this policy", file=sys.stderr)
        return 0
    if not args.yes:
        print("nothing was changed: run again with --yes to apply", file=sys.stderr)
        return 0
    if os.path.exists(record_path) and _read_record(record_path).pending_undo:
        raise UserError(
            f"{record_path} records an apply that was not rolled back: roll it back first "
            "or give another --record"
        )
    try:
        record = apply_plan(iam, plan, generated.document, _saver(record_path))
    except ChangeFailed as error:
        raise UserError(f"{error} (record: {record_path})", ExitCode.AWS_UNAVAILABLE) from None
    detached = [change["arn"] for change in record.done if change["op"] == "detach"]
    print(
        f"applied {record.policy_arn} to {role.name}; detached {len(detached)}: "
        f"{', '.join(detached) or 'none'}"
    )
    print(f"undo with: pipedoctor policy rollback --record {record_path} --yes", file=sys.stderr)
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from pipedoctor.app.live import client_for
    from pipedoctor.writes.role_policies import ChangeFailed, rollback

    record = _read_record(args.record)
    pending = record.pending_undo
    if not pending:
        when = f" at {record.rolled_back_at}" if record.rolled_back_at else ""
        print(
            f"nothing to roll back: {args.record} has no change left to undo "
            f"(status: {record.status}{when})",
            file=sys.stderr,
        )
        return 0
    if not args.yes:
        for change in reversed(pending):
            print(f"plan: undo {change['op']} {change.get('arn', record.policy_arn)}")
        print("nothing was changed: run again with --yes to roll back", file=sys.stderr)
        return 0
    try:
        rollback(client_for("iam", aws_options(args)), record, _saver(args.record))
    except ChangeFailed as error:
        raise UserError(
            f"rollback stopped: {error} (record: {args.record})", ExitCode.AWS_UNAVAILABLE
        ) from None
    print(f"rolled back {len(pending)} change(s) to {record.role_name} from {args.record}")
    return 0
