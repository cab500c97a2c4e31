"""`pipedoctor check` on the real repositories listed in bench/real-repositories.md: findings per
repository and rule, each compared with the judgement recorded in that file.

The checkouts live outside the project (the repositories are third-party): one folder per
repository, named `owner+name`, at the commit the table names (`git clone` and `git checkout`).

    .venv/bin/python bench/eval_real_repositories.py CHECKOUTS [--findings] [--pairs]

prints, per repository, the number of findings, their rules, and how many of them the table has
judged (true positive, false positive, debatable); a finding with no recorded judgement is listed
as NEW, a judged finding that is no longer reported as GONE. `--pairs` also runs `check A B` and
`check B A` on the pairs the file lists and reports any difference with `check A` plus `check B`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

TABLE = Path(__file__).with_name("real-repositories.md")
PIPEDOCTOR = Path(sys.executable).with_name("pipedoctor")
POLICY_RULES = ("ci-role-admin-equivalent-policy", "ci-role-service-wildcard-policy")
# | owner/name@abcdef1 | ... (the repository table)
_REPOSITORY_ROW = re.compile(r"^\|\s*`?([\w.-]+/[\w.-]+)@([0-9a-f]{7,40})`?\s*\|")
# | owner/name | rule | location | TP/FP/debatable | why |  (the judgements table)
_JUDGEMENT_ROW = re.compile(r"^\|\s*([\w.-]+/[\w.-]+)\s*\|\s*([\w-]+)\s*\|\s*`?([^|`]+?)`?\s*\|\s*(TP|FP|debatable)\s*\|")
# - pair: owner/a + owner/b
_PAIR_LINE = re.compile(r"^-\s*pair:\s*([\w.-]+/[\w.-]+)\s*\+\s*([\w.-]+/[\w.-]+)")


def folder(repository: str) -> str:
    return repository.replace("/", "+")


def read_table(path: Path) -> tuple[dict[str, str], dict[tuple[str, str, str], str], list[tuple[str, str]]]:
    repositories: dict[str, str] = {}
    judgements: dict[tuple[str, str, str], str] = {}
    pairs: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := _REPOSITORY_ROW.match(line):
            repositories.setdefault(match.group(1), match.group(2))
        if match := _JUDGEMENT_ROW.match(line):
            judgements[(match.group(1), match.group(2), match.group(3).strip())] = match.group(4)
        if match := _PAIR_LINE.match(line):
            pairs.append((match.group(1), match.group(2)))
    return repositories, judgements, pairs


def check(checkouts: Path, *folders: str) -> list[dict]:
    result = subprocess.run(
        [str(PIPEDOCTOR), "check", *folders, "--format", "json", "--exit-zero"],
        cwd=checkouts,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"check {' '.join(folders)}: exit {result.returncode}: {result.stderr.strip()[:300]}")
    return json.loads(result.stdout)["diagnoses"]


def key(finding: dict, prefix: str) -> str:
    """A finding's location within its repository (the checkout folder removed), with what tells
    apart findings at one line (the statement or the service a policy finding is about)."""
    location = str(finding.get("location") or "").removeprefix(prefix + "/")
    resource = str(finding.get("resource") or "")
    return f"{location} #{resource.rsplit('#', 1)[1]}" if "#" in resource else location


def head(checkout: Path) -> str:
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def report_repository(checkouts: Path, repository: str, commit: str, judged: dict, show: bool) -> Counter:
    name = folder(repository)
    checkout = checkouts / name
    totals: Counter = Counter()
    if not checkout.is_dir():
        print(f"{repository}: no checkout at {checkout}")
        totals["missing"] += 1
        return totals
    at = head(checkout)
    warning = "" if at.startswith(commit) else f"  (checkout at {at[:7]}, table at {commit})"
    findings = check(checkouts, name)
    rules = Counter(f["rule"] for f in findings)
    verdicts = Counter()
    new = []
    seen = set()
    for finding in findings:
        location = key(finding, name)
        verdict = judged.get((repository, finding["rule"], location))
        seen.add((finding["rule"], location))
        if verdict is None:
            new.append(finding)
        else:
            verdicts[verdict] += 1
    gone = [(rule, location) for (repo, rule, location) in judged if repo == repository and (rule, location) not in seen]
    policy = sum(rules[r] for r in POLICY_RULES)
    print(
        f"{repository}@{commit}: {len(findings)} findings, TP {verdicts['TP']} / FP {verdicts['FP']} / "
        f"debatable {verdicts['debatable']}, policy findings {policy}, new {len(new)}, gone {len(gone)}{warning}"
    )
    for rule, count in sorted(rules.items()):
        print(f"    {count:3d}  {rule}")
    for finding in new:
        print(f"    NEW  {finding['rule']}  {key(finding, name)}  {finding['message'][:160]}")
    for rule, location in gone:
        print(f"    GONE {rule}  {location}")
    if show:
        for finding in findings:
            print(f"    -- {finding['rule']}  {key(finding, name)}\n       {finding['message']}")
    totals.update(verdicts)
    totals["findings"] += len(findings)
    totals["new"] += len(new)
    totals["gone"] += len(gone)
    return totals


def compare_pair(checkouts: Path, first: str, second: str) -> bool:
    a, b = folder(first), folder(second)
    alone = {(f["rule"], f.get("location"), f.get("resource")) for f in check(checkouts, a) + check(checkouts, b)}
    together = {(f["rule"], f.get("location"), f.get("resource")) for f in check(checkouts, a, b)}
    swapped = {(f["rule"], f.get("location"), f.get("resource")) for f in check(checkouts, b, a)}
    same = alone == together == swapped
    print(f"pair {first} + {second}: {'equal' if same else 'DIFFERENT'} ({len(alone)} findings alone, {len(together)} A B, {len(swapped)} B A)")
    for label, found in (("A B", together), ("B A", swapped)):
        for extra in sorted(found - alone, key=str):
            print(f"    {label} adds    {extra[0]}  {extra[1]}")
        for missing in sorted(alone - found, key=str):
            print(f"    {label} misses  {missing[0]}  {missing[1]}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", type=Path, help="folder holding one owner+name checkout per repository")
    parser.add_argument("--table", type=Path, default=TABLE, help="the markdown file with the list and the judgements")
    parser.add_argument("--findings", action="store_true", help="print every finding with its message")
    parser.add_argument("--pairs", action="store_true", help="also compare check A B and check B A on the listed pairs")
    parser.add_argument("--only", action="append", default=[], help="owner/name to run (repeatable)")
    args = parser.parse_args()
    repositories, judged, pairs = read_table(args.table)
    totals: Counter = Counter()
    for repository, commit in repositories.items():
        if args.only and repository not in args.only:
            continue
        totals.update(report_repository(args.checkouts, repository, commit, judged, args.findings))
    judged_total = totals["TP"] + totals["FP"] + totals["debatable"]
    clear = totals["TP"] + totals["FP"]
    precision = f"{totals['TP'] / clear:.3f}" if clear else "n/a"
    print(
        f"\n{len(repositories)} repositories, {totals['findings']} findings, judged {judged_total}: "
        f"TP {totals['TP']}, FP {totals['FP']}, debatable {totals['debatable']}; precision on clear cases {precision}; "
        f"new {totals['new']}, gone {totals['gone']}"
    )
    if args.pairs:
        different = sum(not compare_pair(args.checkouts, a, b) for a, b in pairs)
        print(f"{len(pairs)} pairs, {different} different")
    return 0


if __name__ == "__main__":
    sys.exit(main())
