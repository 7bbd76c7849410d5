"""`manage.py validate --framework nap-2014 --as-of 2015-03-25 [--format text|json]`: every data-quality finding
over the published figures as of a date, printed. Read-only (the scheduled run stores findings); findings are
not errors of the command, so it exits 0."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.models import Body, Framework
from tracker.validation.checks import Draft
from tracker.validation.engine import evaluate
from tracker.validation.figures import Scope
from tracker.validation.messages import finding_figures, finding_message, finding_period


def describe(draft: Draft, bodies: dict[int, str]) -> dict[str, Any]:
    params = draft.params
    named = params.get("reported_bodies") or ([bodies[draft.body_id]] if draft.body_id else [])
    return {
        "rule": draft.rule.slug,
        "severity": draft.rule.severity,
        "bodies": named or [_("National")],
        "indicator": params.get("indicator", ""),
        "period": finding_period(draft.period_start, draft.period_end),
        "figures": finding_figures(draft.rule.kind, params),
        "message": finding_message(draft.rule.kind, params),
        "observation": draft.observation_id,
    }


class Command(BaseCommand):
    help = "Print every data-quality finding over the published figures as of a date. Exits 0 whatever it finds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", help="Framework slug (default: all).")
        parser.add_argument("--as-of", type=date.fromisoformat, help="Date YYYY-MM-DD (default: today).")
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        framework = None
        if options["framework"]:
            framework = Framework.objects.filter(slug=options["framework"]).first()
            if framework is None:
                raise CommandError(f"Unknown framework {options['framework']!r}.")
        as_of = options["as_of"] or timezone.localdate()
        drafts = evaluate(scope=Scope(framework=framework, as_of=as_of))
        bodies = dict(Body.objects.values_list("pk", "short_name"))
        findings = [describe(d, bodies) for d in drafts]
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({"as_of": as_of.isoformat(), "findings": findings}, ensure_ascii=False, indent=2)
            )
            return
        for f in findings:
            self.stdout.write(
                f"[{f['severity']}] {f['rule']} — {', '.join(f['bodies'])} — {f['indicator']} — {f['period']}"
                f" — {f['figures']}\n    {f['message']}"
            )
        self.stdout.write(f"{len(findings)} finding(s) as of {as_of.isoformat()}.")
