"""`GET /v1/admin/training-runs/{id}/summary`: the AI Act summary over HTTP (docs/rules.md P7)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from consentry.bootstrap import App
from tests.e2e.api.conftest import ADMIN, Api, User, client_for, expect


def test_summary_of_an_exported_run_and_its_refusals_P7(core: App, tmp_path: Path) -> None:
    """P7: 409 ``not_exported`` before the export; after it the template's sections with
    the run's counts; admin only (403 with an account token); unknown run 404."""
    settings = dataclasses.replace(core.settings, export_dir=str(tmp_path / "exports"))
    with client_for(dataclasses.replace(core, settings=settings)) as client:
        api = Api(client)
        user: User = api.signup("free", "on")
        sid = api.start_session(user)["session_id"]
        api.message(user, sid, "Please explain how photosynthesis works in green plants.")
        api.message(
            user, sid, "Plants turn light, water and carbon dioxide into sugar.", "assistant"
        )
        code = api.start_session(user, kind="code", surface="code")["session_id"]
        api.message(user, code, "Why does my Python loop never finish when I run it?")
        run = api.create_run()
        path = f"/v1/admin/training-runs/{run['run_id']}/summary"
        expect(client.get(path, headers=ADMIN), 409, "not_exported")
        export = f"/v1/admin/training-runs/{run['run_id']}/export"
        expect(client.post(export, json={"format": "jsonl"}, headers=ADMIN), 200)
        summary = expect(client.get(path, headers=ADMIN), 200)
        size = summary["general_information"]["size"]
        assert (size["sessions"], size["messages"]) == (run["counts"]["sessions"], 3)
        sources = summary["data_sources"]["user_data"]["by_surface"]
        assert {(s["surface"], s["kind"], s["messages"]) for s in sources} == {
            ("web", "chat", 2),
            ("code", "code", 1),
        }
        assert summary["general_information"]["languages"][0]["language"] == "en"
        assert summary["general_information"]["languages"][0]["share"] == 1.0
        assert summary["run"]["policy_in_force_is_the_runs"] is True
        expect(client.get(path, headers=user.headers), 403, "forbidden")
        missing = "/v1/admin/training-runs/run_nope/summary"
        expect(client.get(missing, headers=ADMIN), 404, "not_found")
