"""Provider API keys and tokens, recognised by their documented shapes.

Each shape is a literal prefix, the alphabet of the body and the body's length
range, written from the provider's published token format (nothing is copied
from another project's rule set). One RE2 pass finds the prefixes; the body is
then matched anchored at each prefix, so the scan stays linear and the combined
automaton stays small.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import re2

from .checksums import entropy_at_least, looks_random
from .detector import (
    ANCHOR_START,
    UNANCHORED,
    Candidate,
    PatternDetector,
    RawCandidate,
    compile_pattern,
    is_word_byte,
    raw_matcher,
)
from .model import SECRET

RANK = 20


@dataclass(frozen=True, slots=True)
class TokenShape:
    """``prefixes`` + a run of ``alphabet`` whose length lies in [min_body, max_body]."""

    prefixes: tuple[str, ...]
    alphabet: str
    min_body: int
    max_body: int = 1024


SHAPES = (
    TokenShape(
        ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA", "AROA"),
        "A-Z0-9",
        16,
        16,
    ),  # AWS access key ids
    TokenShape(("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), "A-Za-z0-9", 36, 251),  # GitHub
    TokenShape(("github_pat_",), "A-Za-z0-9_", 22, 244),  # GitHub fine-grained PAT
    TokenShape(
        (
            "glpat-",
            "gldt-",
            "glrt-",
            "glptt-",
            "glft-",
            "glimt-",
            "gloas-",
            "glsoat-",
            "glcbt-",
            "glagent-",
        ),
        "A-Za-z0-9_.-",
        20,
    ),  # GitLab
    TokenShape(
        ("xoxb-", "xoxa-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xapp-"), "A-Za-z0-9-", 10
    ),  # Slack
    TokenShape(
        ("https://hooks.slack.com/services/", "https://hooks.slack.com/workflows/"),
        "A-Za-z0-9/_-",
        20,
    ),  # Slack webhook URL
    TokenShape(("sk_live_", "sk_test_", "rk_live_", "rk_test_"), "A-Za-z0-9", 16),  # Stripe
    TokenShape(("whsec_",), "A-Za-z0-9+/=", 24),  # Stripe webhook signing secret
    TokenShape(("sk-ant-",), "A-Za-z0-9_-", 20),  # Anthropic
    TokenShape(("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"), "A-Za-z0-9_-", 20),  # OpenAI
    TokenShape(("AIza",), "0-9A-Za-z_-", 35, 35),  # Google API key
    TokenShape(("GOCSPX-",), "A-Za-z0-9_-", 28, 28),  # Google OAuth client secret
    TokenShape(("ya29.",), "0-9A-Za-z_-", 20),  # Google OAuth access token
    TokenShape(("npm_",), "A-Za-z0-9", 36, 36),  # npm
    TokenShape(("pypi-AgEIcHlwaS5vcmc",), "A-Za-z0-9_-", 50),  # PyPI (macaroon)
    TokenShape(("hf_",), "A-Za-z0-9", 34, 40),  # Hugging Face
    TokenShape(("SG.",), "A-Za-z0-9_.-", 66, 66),  # SendGrid: 22 . 43
    TokenShape(("SK",), "0-9a-fA-F", 32, 32),  # Twilio API key sid
    TokenShape(("shpat_", "shpca_", "shppa_", "shpss_"), "a-fA-F0-9", 32, 32),  # Shopify
    TokenShape(("dop_v1_", "doo_v1_", "dor_v1_"), "a-f0-9", 64, 64),  # DigitalOcean
    TokenShape(("dapi",), "a-f0-9-", 32, 34),  # Databricks (optional -N suffix)
    # Written from each vendor's published token format: prefix, body alphabet, length.
    TokenShape(("api_org_",), "A-Za-z", 34, 34),  # Hugging Face organisation token
    TokenShape(("xoxe.xoxp-", "xoxe-", "xoxc-"), "A-Za-z0-9-", 10),  # Slack refresh/config
    TokenShape(("https://hooks.slack.com/triggers/",), "A-Za-z0-9/_-", 20),  # Slack
    TokenShape(
        (
            "https://discord.com/api/webhooks/",
            "https://discordapp.com/api/webhooks/",
            "https://ptb.discord.com/api/webhooks/",
            "https://canary.discord.com/api/webhooks/",
        ),
        "A-Za-z0-9/_-",
        40,
    ),  # Discord
    TokenShape(("AGE-SECRET-KEY-1",), "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, 58),  # age
    TokenShape(("AKCp",), "A-Za-z0-9", 69, 69),  # JFrog Artifactory API key
    TokenShape(("cmVmdGtuOjAxOj",), "A-Za-z0-9", 40, 80),  # JFrog reference token
    TokenShape(("ATATT3", "ATCTT3"), "A-Za-z0-9_=-", 180, 200),  # Atlassian API token
    TokenShape(("ATBB",), "A-Za-z0-9_=.-", 32, 40),  # Bitbucket app password
    TokenShape(("aio_",), "A-Za-z0-9", 28, 28),  # Adafruit IO
    TokenShape(("pat",), "A-Za-z0-9.", 79, 79),  # Airtable PAT (14 . 64)
    TokenShape(("LTAI",), "A-Za-z0-9", 20, 20),  # Alibaba Cloud AccessKey id
    TokenShape(("CLOJARS_",), "a-z0-9", 60, 60),  # Clojars deploy token
    TokenShape(("CFPAT-",), "A-Za-z0-9_-", 43, 43),  # Contentful
    TokenShape(
        ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."), "A-Za-z0-9", 40, 44
    ),  # Doppler
    TokenShape(("sl.u.", "sl."), "A-Za-z0-9_=-", 130, 1400),  # Dropbox short-lived
    TokenShape(("duffel_test_", "duffel_live_"), "A-Za-z0-9_=-", 43, 43),  # Duffel
    TokenShape(("dt0c01.", "dt0s01.", "dt0s16."), "A-Z0-9.", 89, 89),  # Dynatrace
    TokenShape(("EZAK", "EZTK"), "A-Za-z0-9", 54, 54),  # EasyPost
    TokenShape(("figd_", "figu_"), "A-Za-z0-9_-", 40, 44),  # Figma
    TokenShape(
        ("FLWSECK_TEST-", "FLWSECK-", "FLWPUBK_TEST-"), "a-hA-H0-9X-", 32, 34
    ),  # Flutterwave
    TokenShape(("fio-u-",), "A-Za-z0-9_=-", 64, 64),  # Frame.io
    TokenShape(("glc_",), "A-Za-z0-9+/=", 32, 400),  # Grafana Cloud
    TokenShape(("glsa_",), "A-Za-z0-9_", 41, 41),  # Grafana service account
    TokenShape(("hvs.", "hvb.", "hvr."), "A-Za-z0-9_-", 90, 300),  # HashiCorp Vault
    TokenShape(("HRKU-",), "A-Za-z0-9_-", 60, 70),  # Heroku
    TokenShape(("pat-na1-", "pat-eu1-"), "a-f0-9-", 36, 36),  # HubSpot private app
    TokenShape(("lin_api_", "lin_oauth_"), "A-Za-z0-9", 40, 64),  # Linear
    TokenShape(("key-",), "a-f0-9", 32, 32),  # Mailgun
    TokenShape(("pk.eyJ", "sk.eyJ", "tk.eyJ"), "A-Za-z0-9._-", 80, 300),  # Mapbox
    TokenShape(("mlsn.",), "a-f0-9", 64, 64),  # MailerSend
    TokenShape(("nfp_", "nfc_"), "A-Za-z0-9", 36, 40),  # Netlify
    TokenShape(("NRAK-",), "A-Z0-9", 27, 27),  # New Relic user API key
    TokenShape(("NRII-", "NRJS-"), "A-Za-z0-9_-", 19, 32),  # New Relic insert/browser keys
    TokenShape(("NRAA-",), "a-f0-9", 27, 27),  # New Relic admin key
    TokenShape(("secret_",), "A-Za-z0-9", 43, 43),  # Notion integration (old)
    TokenShape(("ntn_",), "A-Za-z0-9", 46, 46),  # Notion integration
    TokenShape(("oy2",), "a-z0-9", 43, 43),  # NuGet
    TokenShape(("ops_eyJ",), "A-Za-z0-9+/=", 250, 2000),  # 1Password service account
    TokenShape(("A3-",), "A-Z0-9-", 36, 40),  # 1Password secret key
    TokenShape(("pplx-",), "A-Za-z0-9", 48, 48),  # Perplexity
    TokenShape(("gsk_",), "A-Za-z0-9", 52, 52),  # Groq
    TokenShape(("xai-",), "A-Za-z0-9", 70, 90),  # xAI
    TokenShape(("r8_",), "A-Za-z0-9", 37, 37),  # Replicate
    TokenShape(("lsv2_pt_", "lsv2_sk_"), "a-f0-9_", 43, 43),  # LangSmith
    TokenShape(("tvly-",), "A-Za-z0-9-", 32, 40),  # Tavily
    TokenShape(("pcsk_",), "A-Za-z0-9_", 50, 90),  # Pinecone
    TokenShape(
        ("pscale_tkn_", "pscale_pw_", "pscale_oauth_"), "A-Za-z0-9_=.-", 32, 64
    ),  # PlanetScale
    TokenShape(("PMAK-",), "a-f0-9-", 59, 59),  # Postman
    TokenShape(("pnu_",), "A-Za-z0-9", 36, 36),  # Prefect
    TokenShape(("pul-",), "a-f0-9", 40, 40),  # Pulumi
    TokenShape(("rubygems_",), "a-f0-9", 48, 48),  # RubyGems
    TokenShape(("rdme_",), "a-z0-9", 70, 70),  # ReadMe
    TokenShape(("rootly_",), "a-f0-9", 64, 64),  # Rootly
    TokenShape(("tk-us-",), "A-Za-z0-9_-", 48, 48),  # Scalingo
    TokenShape(("sntrys_",), "A-Za-z0-9+/=_", 100, 400),  # Sentry org token
    TokenShape(("sntryu_",), "a-f0-9", 64, 64),  # Sentry user token
    TokenShape(("sm_pat_", "sm_aat_", "sm_sat_"), "A-Za-z0-9", 16, 16),  # SettleMint
    TokenShape(("shippo_live_", "shippo_test_"), "a-f0-9", 40, 40),  # Shippo
    TokenShape(("sqp_", "sqa_", "squ_"), "a-f0-9", 40, 40),  # SonarQube
    TokenShape(("sq0atp-",), "A-Za-z0-9_-", 22, 22),  # Square access token
    TokenShape(("sq0csp-",), "A-Za-z0-9_-", 43, 43),  # Square OAuth secret
    TokenShape(("EAAA",), "A-Za-z0-9+_-", 60, 60),  # Square production token
    TokenShape(("sbp_",), "a-f0-9", 40, 40),  # Supabase
    TokenShape(("sb_secret_",), "A-Za-z0-9_-", 31, 60),  # Supabase secret key
    TokenShape(("tfp_",), "A-Za-z0-9_.=-", 59, 59),  # Typeform
    TokenShape(("vcp_", "vci_", "vca_", "vcr_", "vck_"), "A-Za-z0-9", 24, 64),  # Vercel
    TokenShape(("AQVN",), "A-Za-z0-9_-", 35, 38),  # Yandex API key
    TokenShape(("y0_",), "A-Za-z0-9_-", 50, 60),  # Yandex OAuth token
    TokenShape(("EAACEdEose0cBA",), "A-Za-z0-9", 20, 300),  # Facebook access token
    TokenShape(("fm2_", "fm1r_", "fo1_"), "A-Za-z0-9+/=,_-", 40, 900),  # Fly.io
    TokenShape(("ico-",), "A-Za-z0-9", 32, 32),  # Infracost
    TokenShape(("dckr_pat_", "dckr_oat_"), "A-Za-z0-9_-", 27, 36),  # Docker Hub
    TokenShape(("ddp_", "ddw_"), "A-Za-z0-9", 36, 36),  # Deno Deploy
    TokenShape(("bkua_",), "a-f0-9", 40, 40),  # Buildkite
    TokenShape(("CCIPAT_", "CCIPRJ_"), "A-Za-z0-9_", 50, 70),  # CircleCI
    TokenShape(("rzp_live_", "rzp_test_"), "A-Za-z0-9", 14, 14),  # Razorpay key id
    TokenShape(("napi_",), "a-z0-9", 64, 64),  # Neon
    TokenShape(("rnd_",), "A-Za-z0-9", 32, 32),  # Render
    TokenShape(("NF-",), "A-Za-z0-9", 32, 32),  # Nightfall
    TokenShape(("API-",), "A-Z0-9", 26, 27),  # Octopus Deploy
    TokenShape(("sha256~",), "A-Za-z0-9_-", 43, 43),  # OpenShift user token
    TokenShape(("sgp_", "sgs_"), "a-f0-9_", 40, 60),  # Sourcegraph
    TokenShape(("hcaik_", "hcxik_"), "a-z0-9", 58, 58),  # Honeycomb ingest key
    TokenShape(
        ("packagist_uat_", "packagist_ort_", "packagist_out_"), "a-f0-9", 68, 68
    ),  # Packagist
    TokenShape(("p8e-",), "A-Za-z0-9", 32, 32),  # Adobe client secret
    TokenShape(("dnkey-",), "a-z0-9=_-", 79, 79),  # Defined Networking
    TokenShape(("s-s4t2ud-", "s-s4t2af-"), "a-f0-9", 64, 64),  # 42 intra
    TokenShape(("xkeysib-", "xsmtpsib-"), "A-Za-z0-9-", 81, 81),  # Brevo (Sendinblue)
    TokenShape(
        ("access_token$production$", "access_token$sandbox$"), "a-z0-9$", 49, 49
    ),  # Braintree
    TokenShape(("AAAAAAAAAAAAAAAAAAAAA",), "A-Za-z0-9%", 60, 200),  # Twitter app bearer
    TokenShape(
        ("access-sandbox-", "access-development-", "access-production-"), "a-f0-9-", 36, 36
    ),  # Plaid access token
    TokenShape(("api-", "sdk-", "mob-"), "a-f0-9-", 36, 36),  # LaunchDarkly
    TokenShape(("GR1348941",), "A-Za-z0-9_-", 20, 60),  # GitLab runner registration
    TokenShape(("ghe_",), "A-Za-z0-9", 36, 36),  # GitHub Enterprise
    TokenShape(("sk_",), "a-f0-9", 48, 48),  # ElevenLabs
    TokenShape(("AccountKey=",), "A-Za-z0-9+/=", 86, 88),  # Azure storage account key
    TokenShape(("SharedAccessKey=",), "A-Za-z0-9+/=", 43, 44),  # Azure Service Bus
    TokenShape(("fw_",), "A-Za-z0-9", 24, 40),  # Fireworks AI
    TokenShape(("re_",), "A-Za-z0-9_", 36, 36),  # Resend
    TokenShape(("phx_",), "A-Za-z0-9", 40, 48),  # PostHog personal API key
    TokenShape(("tskey-",), "A-Za-z0-9-", 30, 80),  # Tailscale
    TokenShape(("AKID",), "A-Za-z0-9", 32, 32),  # Tencent Cloud SecretId
    TokenShape(("pat.", "sat."), "A-Za-z0-9._-", 60, 80),  # Harness PAT / service account token
    TokenShape(("pa-",), "A-Za-z0-9_-", 40, 45),  # Voyage AI
    TokenShape(("secret-live-", "secret-test-"), "A-Za-z0-9_=-", 30, 40),  # Stytch
    TokenShape(("cio",), "A-Za-z0-9", 32, 32),  # crates.io
    TokenShape(("pk_",), "0-9A-Z_", 35, 50),  # ClickUp personal token (pk_<user>_<32>)
    TokenShape(("ck_", "cs_"), "a-f0-9", 40, 40),  # WooCommerce REST key / secret
    TokenShape(("1//0",), "A-Za-z0-9_-", 40, 300),  # Google OAuth refresh token
    TokenShape(("FwoGZXIvYXdz", "IQoJb3JpZ2luX2Vj"), "A-Za-z0-9+/=", 100, 1500),  # AWS STS session
    TokenShape(("SCW",), "A-Z0-9", 17, 17),  # Scaleway access key
    TokenShape(("EXO",), "a-f0-9", 24, 24),  # Exoscale API key
    TokenShape(("dbtc_", "dbtu_"), "A-Za-z0-9_-", 40, 60),  # dbt Cloud
    TokenShape(("sk_sbox_",), "a-z0-9", 26, 30),  # Checkout.com sandbox secret key
    TokenShape(("glffct-",), "A-Za-z0-9_-", 20, 64),  # GitLab feature-flag client token
)


def prefix_order() -> list[str]:
    """Every prefix, longest first: the order of the alternatives in the prefix pattern."""
    return sorted((p for s in SHAPES for p in s.prefixes), key=lambda p: (-len(p), p))


class ProviderTokenDetector:
    """Finds tokens of the :data:`SHAPES` above."""

    __slots__ = ("_bodies", "_prefixes", "_search")

    def __init__(self) -> None:
        literals = prefix_order()
        self._prefixes = compile_pattern(r"\b(?:" + "|".join(re2.escape(p) for p in literals) + ")")
        self._search = raw_matcher(self._prefixes)
        self._bodies = {
            p.encode(): (raw_matcher(compile_pattern(f"[{s.alphabet}]+")), s.min_body, s.max_body)
            for s in SHAPES
            for p in s.prefixes
        }

    def __reduce__(self) -> tuple[type[ProviderTokenDetector], tuple[()]]:
        return (ProviderTokenDetector, ())  # rebuilt from SHAPES (raw matchers do not pickle)

    @property
    def prefilter(self) -> str:
        """Every token starts with a match of this pattern (see ``PatternDetector``)."""
        pattern: str = self._prefixes.pattern
        return pattern

    def scan(self, data: bytes) -> Iterator[Candidate]:
        """Yield every well-formed provider token."""
        found: list[RawCandidate] = []
        self.collect(data, found)
        for cand in found:
            yield Candidate._make(cand)

    def collect(self, data: bytes, out: list[RawCandidate]) -> None:
        """Append every well-formed provider token to ``out`` (see :meth:`scan`)."""
        search = self._search
        bodies = self._bodies
        n = len(data)
        covered_to = 0
        pos = 0
        while pos <= n:
            start, body_start = search(UNANCHORED, data, pos, n)[0]
            if start < 0:
                return
            pos = body_start  # literal prefixes are never empty
            if start < covered_to:
                continue
            prefix = data[start:body_start]
            body, min_body, max_body = bodies[prefix]
            end = body(ANCHOR_START, data, body_start, n)[0][1]
            if end < 0:
                end = body_start
            covered_to = end
            if not min_body <= end - body_start <= max_body:
                continue
            after = data[end] if end < n else 0x20
            if is_word_byte(after) or after == 0x2D:
                continue
            if prefix == b"sk-" and not _random_openai_body(data[body_start:end]):
                continue
            out.append((start, end, SECRET, RANK))


def _random_openai_body(body: bytes) -> bool:
    """``sk-`` alone is a common word prefix (``sk-learn``); demand a random body."""
    tail = body.rsplit(b"-", 1)[-1] if len(body) > 40 else body
    return looks_random(tail) and entropy_at_least(tail, 3.5)


def _token_end_ok(data: bytes, end: int) -> bool:
    after = data[end] if end < len(data) else 0x20
    return not (is_word_byte(after) or after == 0x2D)


def _telegram(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``<bot id>:A<34>``: a Telegram bot token (the secret part mixes cases and digits)."""
    if start > 0 and (is_word_byte(data[start - 1]) or data[start - 1] == 0x3A):
        return None
    secret = data[data.index(b":", start, end) + 1 : end]
    return (start, end) if _token_end_ok(data, end) and looks_random(secret) else None


def _discord_bot(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``<base64 user id>.<6>.<27+>``: a Discord bot token (not a JWT: no eyJ header)."""
    if data[start : start + 3] == b"eyJ" or not _token_end_ok(data, end):
        return None
    first, _, last = data[start:end].split(b".")
    return (start, end) if looks_random(first) and looks_random(last) else None


def _random_body(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A token whose shape the pattern fixes; it must end there and mix characters."""
    if start > 0 and is_word_byte(data[start - 1]):
        return None
    return (start, end) if _token_end_ok(data, end) and looks_random(data[start:end]) else None


def _azure_secret(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Azure AD (Entra ID) client secret: 3 chars, a digit, ``Q~``, 31-34 chars."""
    n = len(data)
    after = data[end] if end < n else 0x20
    before = data[start - 1] if start > 0 else 0x20
    if after in _AZURE_ALPHABET or before in _AZURE_ALPHABET:
        return None
    return start, end


_AZURE_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-")

# Tokens recognised by a fixed shape rather than a literal prefix.
FORMAT_DETECTORS = (
    PatternDetector(  # Telegram bot token
        SECRET, RANK, compile_pattern(r"\b[0-9]{5,16}:A[A-Za-z0-9_-]{34}"), _telegram,
        triggers=(b":A",), prefilter=":A",
    ),
    PatternDetector(  # Discord bot token
        SECRET, RANK,
        compile_pattern(r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}"),
        _discord_bot, prefilter=r"[A-Za-z0-9_-]{23}\.[A-Za-z0-9_-]{6}\.",
    ),
    PatternDetector(  # Azure AD client secret
        SECRET, RANK, compile_pattern(r"[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}"),
        _azure_secret, triggers=(b"Q~",), prefilter="Q~",
    ),
    PatternDetector(  # Mailchimp API key
        SECRET, RANK, compile_pattern(r"\b[0-9a-f]{32}-us[0-9]{1,2}\b"), _random_body,
        triggers=(b"-us",), prefilter="-us[0-9]",
    ),
    PatternDetector(  # Microsoft Teams incoming webhook
        SECRET, RANK,
        compile_pattern(
            r"https://[a-z0-9.-]{1,60}\.webhook\.office\.com/webhookb2/[A-Za-z0-9@/_-]{40,400}"
        ),
        None, triggers=(b"webhook.office.com",), prefilter="webhook\\.office\\.com",
    ),
    PatternDetector(  # Terraform Cloud / Enterprise API token
        SECRET, RANK, compile_pattern(r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
        _random_body, triggers=(b".atlasv1.",), prefilter="atlasv1",
    ),
)  # fmt: skip
