"""The public summary of a run's training content (EU AI Act Art. 53(1)(d); docs/rules.md P7–P9).

Follows the structure of the European Commission's *Template for the Public Summary of
Training Content for general-purpose AI models* (July 2025): 1 general information
(provider, modalities, size, time span, languages), 2 list of data sources (2.1 public
datasets … 2.4 user data … 2.6 other), 3 data-processing aspects (reservation of rights,
removal of unwanted content, other information). A consentry run holds one kind of
source only, user conversations from consumer plans; the others are stated as not used.

Every number comes from the export's ``manifest.json`` (its ``content`` entry, counted
as the shards were written, :mod:`consentry.export.content`), after the export is
verified (:func:`~consentry.export.manifest.verify_export`) and matched to the run.
``consentry runs audit-export`` counts them again from the shards (P8). Statements
about consent, filtering and retention come from the run record, the manifest's filter
stages and the loaded policy; when the loaded policy is not the one the run recorded,
the summary says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from consentry.domain.errors import SummaryUnavailable
from consentry.domain.policy import Policy
from consentry.export.formats import iso_utc
from consentry.export.verified import verified_manifest
from consentry.service.context import Context
from consentry.service.records import RunRecord
from consentry.service.runs import get_run

TEMPLATE = (
    "European Commission, Explanatory Notice and Template for the Public Summary of"
    " Training Content for general-purpose AI models, Article 53(1)(d) of Regulation"
    " (EU) 2024/1689 (July 2025)"
)
TOKEN_RANGES = (
    (10**9, "less than 1 billion tokens"),
    (10**13, "1 billion to 10 trillion tokens"),
)
SOURCE_WORDS = {
    "web": "the web app",
    "desktop": "the desktop app",
    "mobile": "the mobile apps",
    "code": "the coding assistant (command line)",
}


def training_content_summary(ctx: Context, *, run_id: str, directory: str | Path) -> dict[str, Any]:
    """P7: the summary of run ``run_id`` from its export in ``directory``.

    Raises NotFound for an unknown run, NotExported when the directory holds no
    manifest, ExportInvalid when the export does not verify or is another run's, and
    SummaryUnavailable for an export written before manifests counted content.
    """
    run = get_run(ctx, run_id=run_id)
    manifest = verified_manifest(run, Path(directory))
    content = manifest.get("content")
    if not isinstance(content, dict):
        raise SummaryUnavailable(
            f"the export of run {run.id} predates content counts; export the run again"
        )
    return _summary(run, manifest, content, ctx.policy)


def _summary(
    run: RunRecord, manifest: dict[str, Any], content: dict[str, Any], policy: Policy
) -> dict[str, Any]:
    total_chars = int(content["characters"])
    sampled = int(content.get("language_sample", {}).get("characters", total_chars))
    return {
        "template": TEMPLATE,
        "run": {
            "run_id": run.id,
            "purpose": run.purpose.value,
            "cutoff": iso_utc(run.cutoff),
            "policy_digest": run.policy_digest,
            "ledger_head": run.ledger_head,
            "policy_in_force_is_the_runs": policy.digest == run.policy_digest,
        },
        "general_information": {
            "provider": policy.controller,
            "modalities": ["text"],
            "size": {
                "sessions": content["sessions"],
                "messages": content["messages"],
                "characters": total_chars,
                "range": _token_range(total_chars),
                "range_basis": "characters, an upper bound on tokens",
            },
            "types_of_content": sorted({s["kind"] for s in content["sources"]}),
            "time_span": {
                "earliest": content["earliest"],
                "latest": content["latest"],
                "cutoff": iso_utc(run.cutoff),
            },
            "languages": [
                {**entry, "share": _share(entry["characters"], sampled)}
                for entry in content["languages"]
            ],
            "language_sample": content.get("language_sample"),
            "language_identification": content["identifier"],
        },
        "data_sources": {
            "publicly_available_datasets": None,
            "third_party_private_datasets": None,
            "crawled_or_scraped": None,
            "user_data": _user_data(content, total_chars),
            "synthetic_data": None,
            "other_sources": None,
        },
        "data_processing": {
            "reservation_of_rights": (
                "Not applicable: no content was crawled or obtained from third parties;"
                " every item is a user's own conversation, used with that user's consent."
            ),
            "consent": _consent(run, policy),
            "sensitive_data": {
                "filter_stages": list(manifest.get("filter", {}).get("stages", [])),
                "identifiers": "keyed pseudonyms per run (HMAC), unlinkable across runs (R24)",
                "feedback": "exported without account or session identifiers (R13)",
            },
            "retention": _retention(policy),
        },
    }


def _user_data(content: dict[str, Any], total_chars: int) -> dict[str, Any]:
    return {
        "used": True,
        "description": (
            "Conversations and coding sessions of users of consumer plans who allowed"
            " model training, from the surfaces listed; never business, API or cloud"
            " platform traffic, never incognito sessions (R1, R2, R11)."
        ),
        "by_surface": [
            {
                **source,
                "surface_name": SOURCE_WORDS.get(source["surface"], source["surface"]),
                "share": _share(source["characters"], total_chars),
            }
            for source in content["sources"]
        ],
    }


def _consent(run: RunRecord, policy: Policy) -> dict[str, Any]:
    return {
        "basis": "the user's choice to allow model training (opt-in per account, R3-R8)",
        "eligibility_at_cutoff": [
            "consumer plan and surface (R1)",
            "not incognito (R11)",
            "account and session not deleted (R14, R15)",
            "choice on at the cutoff (R20)",
            "session covered by activity while the choice was on, at or before the cutoff"
            " (R9, R10)",
            "retention not ended at the cutoff (R12)",
        ],
        "opt_outs": (
            "Turning training off, deleting a session or deleting the account removes the"
            " data from every run created afterwards (R21); the run's consent-ledger head"
            " at its cutoff is recorded so the audit can recompute eligibility (R26)."
        ),
        "resume_scope": policy.resume_scope.value,
        "gpc": policy.gpc.value,
        "ledger_head": run.ledger_head,
    }


def _retention(policy: Policy) -> dict[str, Any]:
    r = policy.retention
    return {
        "training_on_days": r.training_on,
        "training_off_days": r.standard,
        "on_opt_out": r.on_opt_out.value,
        "deleted_grace_days": r.deleted_grace,
        "feedback_days": r.feedback,
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _token_range(characters: int) -> str:
    """The template's size bucket for text. A token spans at least one character in the
    tokenizers in use, so the character count bounds the token count from above."""
    for limit, words in TOKEN_RANGES:
        if characters < limit:
            return words
    return "more than 10 trillion tokens"


def render_markdown(summary: dict[str, Any]) -> str:
    """The summary for people: the template's sections, in Markdown."""
    run = summary["run"]
    lines = [
        f"# Public summary of training content: run {run['run_id']}",
        "",
        f"Structure: {summary['template']}.",
        "",
        *_general_md(run, summary["general_information"]),
        *_sources_md(summary["data_sources"]),
        *_processing_md(summary["data_processing"]),
    ]
    if not run["policy_in_force_is_the_runs"]:
        lines += [
            "",
            "Note: the policy in force now is not the one this run recorded; consent and"
            " retention settings above are today's.",
        ]
    return "\n".join(lines) + "\n"


def _general_md(run: dict[str, Any], info: dict[str, Any]) -> list[str]:
    size, span = info["size"], info["time_span"]
    return [
        "## 1. General information",
        "",
        f"- Provider: {info['provider']}",
        f"- Purpose of the run: {run['purpose']}; cutoff {run['cutoff']}",
        f"- Policy digest: `{run['policy_digest']}`; consent-ledger head `{run['ledger_head']}`",
        f"- Modalities: {', '.join(info['modalities'])}",
        f"- Size: {size['sessions']} sessions, {size['messages']} messages,"
        f" {size['characters']} characters ({size['range']}; {size['range_basis']})",
        f"- Types of content: {', '.join(info['types_of_content']) or 'none'}",
        f"- Time span: earliest item {span['earliest'] or '-'}, latest {span['latest'] or '-'},"
        f" cutoff {span['cutoff']}",
        "",
        "| language | sessions | characters | share |",
        "|---|---:|---:|---:|",
        *(
            f"| {lang['language']} | {lang['sessions']} | {lang['characters']}"
            f" | {lang['share']:.2%} |"
            for lang in info["languages"]
        ),
        "",
        f"Languages identified per session with {_identifier_words(info)}.",
        "",
    ]


def _sources_md(sources: dict[str, Any]) -> list[str]:
    return [
        "## 2. List of data sources",
        "",
        "- 2.1 Publicly available datasets: none",
        "- 2.2 Private datasets from third parties: none",
        "- 2.3 Data crawled or scraped from online sources: none",
        f"- 2.4 User data: {sources['user_data']['description']}",
        "",
        "| surface | kind | sessions | messages | characters | share |",
        "|---|---|---:|---:|---:|---:|",
        *(
            f"| {s['surface_name']} | {s['kind']} | {s['sessions']} | {s['messages']}"
            f" | {s['characters']} | {s['share']:.2%} |"
            for s in sources["user_data"]["by_surface"]
        ),
        "",
        "- 2.5 Synthetic data: none",
        "- 2.6 Other sources: none",
        "",
    ]


def _processing_md(processing: dict[str, Any]) -> list[str]:
    sensitive, consent = processing["sensitive_data"], processing["consent"]
    return [
        "## 3. Data processing aspects",
        "",
        f"- 3.1 Reservation of rights: {processing['reservation_of_rights']}",
        "- 3.2 Removal of unwanted content: every text passed the sensitive-data filter"
        f" (stages: {', '.join(sensitive['filter_stages']) or 'none'});"
        f" identifiers are {sensitive['identifiers']}; feedback is {sensitive['feedback']}.",
        f"- 3.3 Other information. Consent: {consent['basis']}. An item is included only"
        f" if: {'; '.join(consent['eligibility_at_cutoff'])}. {consent['opt_outs']}",
        f"- Retention: {_retention_words(processing['retention'])}",
    ]


def _identifier_words(info: dict[str, Any]) -> str:
    ident, sample = info["language_identification"], info.get("language_sample") or {}
    return (
        f"{ident['library']} {ident['version']} on the first {ident['sample_chars']}"
        f" characters; fewer than {ident['min_letters']} letters: und (undetermined);"
        f" {sample.get('sessions', '?')} of {info['size']['sessions']} sessions identified"
        f" (a uniform sample of at most {ident.get('max_sessions', '?')}), shares by their"
        " characters"
    )


def _retention_words(retention: dict[str, Any]) -> str:
    return (
        f"conversations kept {retention['training_on_days']} days with training allowed,"
        f" {retention['training_off_days']} days otherwise (opt-out: {retention['on_opt_out']});"
        f" deleted content purged within {retention['deleted_grace_days']} days;"
        f" feedback kept {retention['feedback_days']} days."
    )
