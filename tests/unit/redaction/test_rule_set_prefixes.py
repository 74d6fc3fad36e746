"""Provider tokens whose fixed prefix public rule sets state (SPEC §4 "provider API keys";
issue 16): trufflehog's detectors, Nosey Parker's and Kingfisher's rules, compared with
``token_shapes.SHAPES``. Each case is a made-up token of the shape those rules give
(prefix, body alphabet, length), in a neutral sentence, found whole by both scans; the
near misses below are ordinary text that starts like one of the added prefixes.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()

# (provider kind, made-up token): added prefixes, then shapes widened to the rule sets'
# alphabet or length range.
TOKENS = [
    ("Scrapfly live key", "scp-live-veykxxvicuuevlw3i8wxh30qsa9p2qw2"),
    ("Scrapfly test key", "scp-test-5i0lsqiohnu9lenztxotsb61x7k0sbxr"),
    ("StackHawk API key", "hawk.5bpYcujERazxe9-BrX0g.4HERaQrcGRCyt8os3Ctu"),
    ("New Relic REST API key", "NRRA-e31c0d80262666d7eb67a2bce00dec60228d0c9f51"),
    ("Pixie API key", "px-api-7a234d6f-055d-1ad7-baa6-263041294ef1"),
    ("Pixie deploy key", "px-dep-d9827203-203a-4357-324c-3b10ddfec187"),
    ("pganalyze read key", "pgar_KMcztlE57RndqJtzuKWoCFuTLxd"),
    (
        "Dynatrace token, any type",
        "dt0s08.YKOM27RV4XQIOFHELZWPAR04."
        "HDM1DAR44K095QO246GS27EUXP4VAY2X8VV3A5AQBGMV9B318MY9PYQUZSZTUN9Q",
    ),
    (
        "Dynatrace token, a01",
        "dt0a01.FH8JJA4AVW7KMXV7ZC1UYLGC."
        "CGS1LCXIZH8PJFHEN4W1Y5NFVQM9ZKPBF1UTQTGYL45MP8D9ACKB2A806FAFK5NH",
    ),
    ("LocationIQ access token", "pk.brqHwatHSYBRgqNjpRwR4s4V2tUhWZmY"),
    ("Firecrawl API key", "fc-647b4757a5b5844e75c4eda3334b7b95"),
    ("Jina AI API key", "jina_KfKXPl42XG0dJP4siT22ZsmRbuwEtNydnU66yuZ7fWoeeucPaK1BZ82HsCFD"),
    (
        "TeamCity access token",
        "eyJ0eXAiOiAiVENWMiJ9.9ckw5qUdiw0TYwGg9jBIneIAIxDxRlYfm47b."
        "DQlFXJGs2mw4rxBrh3ySFBzQkNZV-kJ5XMmHBC0V-oWW3oA2",
    ),
    (
        "Vault batch token with '.'",
        "hvb.wPVsGRrpbc2xS9HUkdyBmYl20tf5Ch7JD4WUTkRTzqax.W"
        "GClioAcM9YonVZFB51bHsK2U43YDFc3OP0Sdi0EgTGHAWcoo2",
    ),
    ("Adobe client secret with '-'", "p8e-8rAl867D26oYBg-gPgQOelPignnuO30H"),
    ("Alibaba Cloud AccessKey id, 17", "LTAIPP1Vc53DEpnfjk8k9"),
    ("Alibaba Cloud AccessKey id, 21", "LTAIrDob2eEq2quWFFPrtLisT"),
    ("Flutterwave secret key", "FLWSECK-z1je3qxom510rvlq2320kr19jhxhqac7-X"),
    ("Shopify token, 30", "shpat_80c8ffd5770555a4513f768baea9f6"),
    ("Shopify token, 34", "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4f"),
    ("Pulumi token", "pul-rgs14cdc2voi64ct7lxk1083ekgvq8j9tt0saito"),
    ("Replicate token with '-'", "r8_l0JgTikl1wDkXD7tppQc-mnWEnZvVzjIIWBg7"),
    ("RubyGems key, 42", "rubygems_oy1u2ctfxiesus2i2wrpngpc3ycagatz9397ygq9hm"),
    ("Supabase token", "sbp_eas2xb74y2i8og85dccb9pl2s341h4tth7ysfo0p"),
    ("Buildkite token", "bkua_wluy56a8osdotup5z501co24sm1rtoxcusrfwy47"),
    ("SpectralOps token", "spu-xbm1vclqh72timu9fegxrpx7pgimxd3f"),
    ("Grafana API key, 60", "eyJrIjoiR58vq8KOCSWPD2lvLIyWcLRgReIjWBkFDaG2zCNTmwRonDJ6vtMfxEr1vGQv"),
    ("GoCardless token with '='", "live_PuXT1VHjR988c4k6_k9idgsN5Mk1rfMKNl3uvC=="),
]


@pytest.mark.parametrize(("kind", "token"), TOKENS, ids=[k for k, _ in TOKENS])
def test_rule_set_prefix_token_is_found_whole(kind: str, token: str) -> None:
    """SPEC §4: a provider token of a prefix public rule sets state is redacted whole,
    by the Python and the compiled scan alike."""
    text = f"the deploy used {token} yesterday"
    start, end = text.index(token), text.index(token) + len(token)
    for redactor in (PYTHON, COMPILED):
        spans = [(f.start, f.end) for f in redactor.redact(text).findings]
        assert any(s <= start and end <= e for s, e in spans), (kind, redactor.compiled, spans)


@pytest.mark.parametrize(
    "text",
    [
        "the hawk.eye.view module and hawk.config.load_settings_from_disk() were renamed",
        "obj.pk.to_python(value) returns the pk.value attribute",
        "a dt0.5 step and dt0 = 0.25 in the solver",
        "SELECT * FROM pgar_reports_monthly WHERE id = 3",
        "see px-api-docs and px-dep-graph in the tree",
        "the scp-live-server flag and scp-test-harness target",
        "the fc-daygrid-event-harness and fc-timegrid-slot-label classes",
        "jina_embeddings_v3_model_name and hvs.lookup_table_for_services",
        # shorter than the shape the rule sets give: LocationIQ 32, Dynatrace 93
        "pk.brqHwatHSYBRgqNjpRwR4s4V2tUhWZm is cut",
        "dt0s08.YKOM27RV4XQIOFHELZWPAR04.HDM1DAR44K095QO246GS27EUXP4VAY2X8VV3A5AQBGMV9B3",
        # wider than the vendors' shapes; Kingfisher's SendGrid (20-24 . 39-47) and trufflehog's
        # Octopus Deploy (29-34) ranges were not taken: semgrep's and 2ms' negatives hold them
        "SG.NfjVYDsK-dPFzGo3N7zc.bWyG5oQKs5nCPJ41OFIIqnbRr-rKw4vdZ4BWN3DaCyFrhUk",
        "https://fog-ringer-f42.notion.site/API-446XM62NFH7X2CF0NG0O3T9UUKRISMP8",
    ],
)
def test_ordinary_text_with_an_added_prefix_is_left(text: str) -> None:
    """SPEC §4 precision: ordinary names that start like an added prefix are not tokens."""
    for redactor in (PYTHON, COMPILED):
        assert redactor.redact(text).findings == (), (redactor.compiled, text)
