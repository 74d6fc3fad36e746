"""`consentry policy region CODE`: which consent rules the policy applies to a region
(docs/rules.md P14, P15), so an operator can check a `[jurisdictions]` table before
loading it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from consentry.config.policy_file import load_policy
from consentry.config.regions import check_region, region_name
from consentry.domain.errors import InvalidInput
from consentry.domain.jurisdiction import rule_set_for
from consentry.entrypoints.cli_common import PolicyPath, guarded


def register(policy_app: typer.Typer) -> None:
    """Add `policy region` to the `policy` command group."""

    @policy_app.command("region")
    def policy_region(
        code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 or ISO 3166-2 code.")],
        policy: PolicyPath = None,
    ) -> None:
        """P14/P15: the rule set the policy applies to REGION and what it sets, as JSON."""
        loaded = guarded(lambda: load_policy(policy))
        region = guarded(lambda: _checked(code))
        rules = rule_set_for(region, loaded)
        answer = {
            "region": region,
            "name": region_name(region),
            "rule_set": rules.name,
            "notice_default_training": rules.notice_default_training,
            "signup_preset": str(rules.signup_preset),
            "gpc": str(rules.gpc),
            "auto_delete_default_months": rules.auto_delete_default_months
            or loaded.auto_delete.default_months,
        }
        # P21: the retention days accounts of this region get (the policy's unless shortened)
        on, standard = loaded.retention_days(rules)
        answer |= {"retention_training_on": on, "retention_standard": standard}
        typer.echo(json.dumps(answer))


def _checked(code: str) -> str:
    try:
        return check_region(code)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
