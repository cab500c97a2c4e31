"""The answer when no rule matches: say so, show the lines that look like the error, the nearest
causes with what would decide, and what to collect next; and the causes whose known wordings (sourced
failures, rule examples, descriptions) a text resembles, near ones before that answer (and the most
alike after the causes rules found, while those are fewer than three).

Lines are scored by the words failures are written in (error, denied, failed, exit status N, ...);
the best few are shown best first, later lines winning ties because a log ends with its failure.
The same answer is given for a pasted text and for a failed action or build of a snapshot.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from pipedoctor.diagnose.resemblance import DESCRIPTION, RULE_EXAMPLE, SOURCED
from pipedoctor.model import Finding
from pipedoctor.model.findings import Location

if TYPE_CHECKING:
    from pipedoctor.diagnose.incidents import Incident
    from pipedoctor.diagnose.resemblance import Resemblance
    from pipedoctor.diagnose.rules import Rule
    from pipedoctor.model import Snapshot

RULE_ID = "not-recognised"
RESEMBLANCE_RULE_ID = "resemblance"
SHOWN_LINES = 5
MAX_CANDIDATES = 3  # causes a text answer names before resemblance stops adding its own
MAX_LINE_CHARS = 300
# Resemblance reads the error-looking lines and the last lines of each text: the lines around a
# failure that say no error word still name what failed (the command, the service, the resource).
# Train cases left out one at a time: 80.2% -> 82.6% top-1, 89.9% -> 92.2% top-3 against the
# error-looking lines alone (`bench/eval_resemblance.py`, which reads the same text).
CONTEXT_LINES = 20

_SIGNALS = [
    (re.compile(r"denied|forbidden|unauthori[sz]ed|not authorized", re.IGNORECASE), 5),
    (re.compile(r"\b(?:fatal|panic|traceback)\b", re.IGNORECASE), 4),
    (re.compile(r"\berror\b|\w+Error\b|\w+Exception\b|\bERR!", re.IGNORECASE), 3),
    (re.compile(r"\bfail(?:ed|ure|s)?\b|FAILED", re.IGNORECASE), 3),
    (
        re.compile(
            r"exit (?:status|code):? ?[1-9]\d*|returned non-zero|non-zero exit", re.IGNORECASE
        ),
        3,
    ),
    (re.compile(r"not found|does not exist|no such|missing|unknown", re.IGNORECASE), 2),
    (
        re.compile(
            r"\b(?:cannot|can't|unable to|could not|couldn't|invalid|refused)\b", re.IGNORECASE
        ),
        2,
    ),
    (re.compile(r"time(?:d)? ?out|deadline exceeded", re.IGNORECASE), 2),
    (
        re.compile(
            r"Phase context status code: \w|State: FAILED|Status: (?:FAILED|STOPPED)", re.IGNORECASE
        ),
        2,
    ),
    (re.compile(r"\bwarn(?:ing)?\b", re.IGNORECASE), 1),
]
_NOISE = re.compile(
    r"Running command|Entering phase|Phase complete: \w+ State: SUCCEEDED|^\s*$", re.IGNORECASE
)

_NEXT_STEPS = {
    "codebuild-phase": "the build's log: aws codebuild batch-get-builds --ids BUILD_ID (logs.deepLink), then diagnose the log with --surface codebuild-log",
    "codebuild-log": "the phase contexts of the failed build: aws codebuild batch-get-builds --ids BUILD_ID (phases[].contexts), and the log lines before the first failed command",
    "codepipeline-action": "the failed action's execution: aws codepipeline list-action-executions --pipeline-name NAME (externalExecutionSummary and externalExecutionId), then the build or deployment it names",
    "ecs-task": "the stopped task: aws ecs describe-tasks --cluster CLUSTER --tasks TASK (stoppedReason, containers[].reason and exitCode) and the container's CloudWatch log",
    "codedeploy": "the deployment: aws deploy get-deployment --deployment-id ID (errorInformation) and the lifecycle events of aws deploy get-deployment-target",
    "cloudformation": "the stack's events: aws cloudformation describe-stack-events --stack-name NAME (the first CREATE_FAILED or UPDATE_FAILED reason, which the later ones only follow), then diagnose that reason",
}
_COLLECT = (
    "or collect everything at once: pipedoctor collect --pipeline NAME -o snapshot.json, then "
    "pipedoctor diagnose --snapshot snapshot.json, which reads the failed action, the build's phases and "
    "log, stopped tasks and deployment events and checks the roles' policies"
)


def _score(line: str) -> int:
    if _NOISE.search(line):
        return 0
    return sum(weight for pattern, weight in _SIGNALS if pattern.search(line))


class ErrorLines:
    """The best-scoring distinct lines seen so far, in bounded memory."""

    def __init__(self, keep: int = SHOWN_LINES) -> None:
        self.keep = keep
        self._heap: list[tuple[int, int, str]] = []  # (score, order, line)
        self._seen: set[str] = set()
        self._order = 0

    def feed(self, text: str) -> None:
        for raw in text.splitlines():
            line = raw.strip()[:MAX_LINE_CHARS]
            score = _score(line)
            self._order += 1
            if score == 0 or line in self._seen:
                continue
            entry = (score, self._order, line)
            if len(self._heap) < self.keep:
                heapq.heappush(self._heap, entry)
            elif entry > self._heap[0]:
                self._seen.discard(heapq.heapreplace(self._heap, entry)[2])
            else:
                continue
            self._seen.add(line)

    def ranked(self) -> list[str]:
        return [line for _, _, line in sorted(self._heap, reverse=True)]


def resemblance_text(ranked: list[str], texts: list[str]) -> str:
    """What resemblance compares: the error-looking lines (`ranked`), then the last lines of
    each text."""
    context = [line for text in texts for line in text.splitlines()[-CONTEXT_LINES:]]
    return "\n".join(ranked + context)


# In a snapshot the failure's own records are already there: what is left to read is what a
# snapshot keeps only in part (the end of the build log) or not at all (the containers' own logs).
_SNAPSHOT_NEXT_STEPS = {
    "codebuild-log": "the whole build log (the snapshot keeps its last lines): aws codebuild batch-get-builds --ids BUILD_ID (logs.deepLink), then pipedoctor diagnose --text LOG --surface codebuild-log",
    "codebuild-phase": "the build's log, which the snapshot does not hold: aws codebuild batch-get-builds --ids BUILD_ID (logs.deepLink), then pipedoctor diagnose --text LOG --surface codebuild-log",
    "ecs-task": "the stopped containers' own CloudWatch logs (their last lines before the exit) and aws ecs describe-tasks --cluster CLUSTER --tasks TASK",
    "codedeploy": "the lifecycle events of aws deploy get-deployment-target --deployment-id ID, and the replacement tasks' stopped reasons",
    "codepipeline-action": "the run the action started (its externalExecutionUrl): the build, deployment or stack events behind it",
}
_SNAPSHOT_ORDER = [
    "codebuild-log",
    "codebuild-phase",
    "ecs-task",
    "codedeploy",
    "codepipeline-action",
]
_REFERENCE = "https://docs.aws.amazon.com/codepipeline/latest/userguide/troubleshooting.html"


_LOOKS_LIKE = "looks like the error: "


def not_recognised(
    lines: list[str],
    surface: str | None,
    where: Location | None = None,
    candidates: list[str] | None = None,
    fix: str = "",
) -> Finding:
    """The finding that says nothing matched, with the error-looking lines, the nearest causes
    (leads, not diagnoses) and the next step."""
    if not fix:
        step = _NEXT_STEPS.get(
            surface or "",
            "where the failure happened: the failed action, build, task or deployment",
        )
        fix = f"Collect {step}; {_COLLECT}."
    if lines:
        message = "pipedoctor does not recognise this failure. The lines that look most like the error are listed below, most likely first."
    else:
        message = "pipedoctor does not recognise this failure: the input holds no line that looks like an error."
    return Finding(
        rule=RULE_ID,
        cause=RULE_ID,
        title="Failure not recognised",
        severity="info",
        confidence=0.0,
        message=message,
        evidence=[f"{_LOOKS_LIKE}{line}" for line in lines],
        fix=fix,
        where=where or Location(label="text"),
        references=[_REFERENCE],
        unverified=[f"nearest cause: {candidate}" for candidate in candidates or []],
    )


def unrecognised_text(rules: list[Rule], tail: str, surface: str | None) -> list[Finding]:
    """The answer for a pasted text no rule matched (`tail` is the input's end), with the causes
    whose known wordings it resembles as candidates of no confidence: the near ones first."""
    from pipedoctor.diagnose.nearest import nearest_candidates
    from pipedoctor.diagnose.resemblance import resembling

    lines = ErrorLines()
    lines.feed(tail)
    ranked = lines.ranked()
    candidates = nearest_candidates(rules, [surface] if surface else [], {})
    answer = not_recognised(ranked, surface, candidates=candidates)
    leads = resembling(resemblance_text(ranked, [tail]), surface, rules=rules)
    return _near_leads_first(answer, leads, rules)


def also_resembling(
    rules: list[Rule], findings: list[Finding], tail: str, surface: str | None
) -> list[Finding]:
    """Candidates of no confidence after the matched causes of a text, while they are fewer than
    three: the causes whose known wordings the text most resembles, that no rule matched."""
    from pipedoctor.diagnose.resemblance import resembling

    found = {finding.cause for finding in findings}
    room = MAX_CANDIDATES - len(found)
    if room <= 0:
        return []
    lines = ErrorLines()
    lines.feed(tail)
    leads = [
        lead
        for lead in resembling(
            resemblance_text(lines.ranked(), [tail]), surface, MAX_CANDIDATES + len(found), rules
        )
        if lead.cause not in found
    ]
    return resembling_findings(rules, leads[:room], findings[0].where, matched=True)


def _near_leads_first(
    answer: Finding, leads: list[Resemblance], rules: list[Rule]
) -> list[Finding]:
    near = resembling_findings(rules, [lead for lead in leads if lead.strong], answer.where)
    far = resembling_findings(rules, [lead for lead in leads if not lead.strong], answer.where)
    if near:
        answer = replace(answer, message=_after_a_lead(answer))
    return [*near, answer, *far]


def _after_a_lead(answer: Finding) -> str:
    """The answer's message when a near lead comes before it: a report shows only the message of a
    candidate after the first, so it names the likeliest error line and the next step itself."""
    if not answer.evidence:
        return f"No rule matched, and the input holds no line that looks like an error. Next: {answer.fix}"
    line = answer.evidence[0].removeprefix(_LOOKS_LIKE)
    return f'No rule matched; the line that looks most like the error: "{line}". Next: {answer.fix}'


_ORIGIN = {
    SOURCED: "sourced failures whose cause was: ",
    RULE_EXAMPLE: "the example texts of this cause's rules: ",
    DESCRIPTION: "the description of this cause: ",
}


def resembling_findings(
    rules: list[Rule], leads: list[Resemblance], where: Location, matched: bool = False
) -> list[Finding]:
    """One candidate per resembled cause, in the leads' order. They carry no confidence: no rule
    of theirs matched, the words did (`matched`: a rule of another cause did)."""
    from pipedoctor.diagnose.causes import cause_descriptions
    from pipedoctor.diagnose.templates import render

    by_cause = {}
    for rule in rules:
        if rule.kind == "diagnosis" and not rule.fallback:
            by_cause.setdefault(rule.cause, rule)
    opening = "No rule of this cause matched" if matched else "No rule matched"
    findings = []
    for lead in leads:
        rule = by_cause.get(lead.cause)
        described = cause_descriptions().get(lead.cause, lead.cause)
        findings.append(
            Finding(
                rule=RESEMBLANCE_RULE_ID,
                cause=lead.cause,
                title=rule.title if rule else described,
                severity="info",
                confidence=0.0,
                message=(
                    f"{opening}; the text shares {', '.join(lead.shared)} with {_ORIGIN[lead.origin]}"
                    f"{described}"
                ),
                evidence=[f"similarity {lead.similarity:.2f} to the nearest {lead.origin}"],
                fix=render(rule.fix_text, {}) if rule else "",
                where=where,
                references=rule.references if rule else [],
                unverified=["a resemblance of words, not a match: check the cause before acting"],
            )
        )
    return findings


def unrecognised_incident(
    incident: Incident, rules: list[Rule], snapshot: Snapshot | None
) -> list[Finding]:
    """The answer for a failed action or build of a snapshot whose texts no rule matched: what was
    seen, the nearest causes the collected facts allow, and what the snapshot lacks; with the causes
    whose known wordings the texts resemble (near ones first), those the facts rule out left out."""
    from pipedoctor.diagnose.nearest import nearest_candidates, ruled_out
    from pipedoctor.diagnose.resemblance import resembling

    texts = [text for surface_texts in incident.texts.values() for text in surface_texts]
    lines = ErrorLines()
    for text in texts:
        lines.feed(text)
    surfaces = [surface for surface, surface_texts in incident.texts.items() if any(surface_texts)]
    candidates = nearest_candidates(rules, surfaces, incident.facts, snapshot)
    seen = next((s for s in _SNAPSHOT_ORDER if s in surfaces), "")
    step = _SNAPSHOT_NEXT_STEPS.get(
        seen,
        "the failed action's execution: aws codepipeline list-action-executions --pipeline-name NAME",
    )
    ranked = lines.ranked()
    finding = not_recognised(ranked, seen or None, incident.where, candidates, fix=f"Read {step}.")
    leads = [
        lead
        for lead in resembling(resemblance_text(ranked, texts), seen or None, rules=rules)
        if not ruled_out(lead.cause, rules, incident.facts, snapshot)
    ]
    answer = _near_leads_first(finding, leads, rules)
    for candidate in answer:
        candidate.resource = incident.resource
    return answer
