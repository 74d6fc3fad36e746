"""The documented shapes of provider API keys and tokens (SPEC §4), one entry per shape.

Each shape is a literal prefix, the alphabet of the body and the body's length
range, as the provider publishes them or as public secret-scanner rule sets
(gitleaks' ``config/gitleaks.toml``, trufflehog's detectors) state them: facts
about the token format; the entries are written here, not copied. Adding a
provider is one entry; :mod:`.tokens` and the compiled scan read this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TokenShape:
    """``prefixes`` + a run of ``alphabet`` whose length lies in [min_body, max_body].

    ``provider`` names the vendor that issues the token (several shapes may share
    one: GitHub's classic and fine-grained tokens).
    """

    prefixes: tuple[str, ...]
    alphabet: str
    min_body: int
    max_body: int
    provider: str


def url_prefixes(*hosts_and_paths: str) -> tuple[str, ...]:
    """A webhook URL's host and path after ``https://``, ``http://`` and alone: the host
    and path are the secret's documented shape with or without the scheme (pasted from a
    config that adds it, or cut at ``//``). The prefix pattern tries the longest first,
    so a written scheme is part of the finding."""
    return tuple(
        f"{scheme}{hp}" for hp in hosts_and_paths for scheme in ("https://", "http://", "")
    )


SHAPES = (
    TokenShape(
        ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA", "AROA"),
        "A-Z0-9",
        16,
        16,
        "AWS",
    ),  # access key ids
    TokenShape(("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), "A-Za-z0-9", 36, 251, "GitHub"),
    TokenShape(("github_pat_",), "A-Za-z0-9_", 22, 244, "GitHub"),  # fine-grained PAT
    # GitLab: lengths as GitLab documents them, with the ranges public scanners accept
    # (detect-secrets' GitLab plugin, gitleaks' rules); routable tokens hold a dot.
    TokenShape(("glpat-", "glrt-"), "A-Za-z0-9_.-", 20, 300, "GitLab"),
    TokenShape(("gldt-", "glft-", "glsoat-", "glffct-"), "A-Za-z0-9_-", 20, 50, "GitLab"),
    TokenShape(("glimt-",), "A-Za-z0-9_-", 25, 25, "GitLab"),  # incoming mail
    TokenShape(("glagent-",), "A-Za-z0-9_-", 50, 1024, "GitLab"),  # Kubernetes agent
    TokenShape(("gloas-",), "A-Za-z0-9_-", 64, 64, "GitLab"),  # OAuth application secret
    TokenShape(("glptt-",), "A-Za-z0-9_-", 40, 40, "GitLab"),  # pipeline trigger
    TokenShape(("glcbt-",), "A-Za-z0-9_-", 20, 53, "GitLab"),  # CI/CD job: [<2 hex>_]<20-50>
    TokenShape(
        ("xoxb-", "xoxa-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xapp-"),
        "A-Za-z0-9-",
        10,
        1024,
        "Slack",
    ),
    TokenShape(
        url_prefixes("hooks.slack.com/services/", "hooks.slack.com/workflows/"),
        "A-Za-z0-9/_-",
        20,
        1024,
        "Slack",
    ),  # webhook URL
    TokenShape(
        ("sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"),
        "A-Za-z0-9",
        10,
        1024,
        "Stripe",
    ),
    TokenShape(("whsec_",), "A-Za-z0-9+/=", 24, 1024, "Stripe"),  # webhook signing secret
    TokenShape(("sk-ant-",), "A-Za-z0-9_-", 20, 1024, "Anthropic"),
    TokenShape(("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"), "A-Za-z0-9_-", 20, 1024, "OpenAI"),
    TokenShape(("AIza",), "0-9A-Za-z_-", 35, 35, "Google"),  # API key
    TokenShape(("GOCSPX-",), "A-Za-z0-9_-", 28, 28, "Google"),  # OAuth client secret
    TokenShape(("ya29.",), "0-9A-Za-z_-", 20, 1024, "Google"),  # OAuth access token
    TokenShape(("npm_",), "A-Za-z0-9", 36, 36, "npm"),
    TokenShape(
        ("pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"), "A-Za-z0-9_-", 50, 1024, "PyPI"
    ),  # macaroon
    TokenShape(("hf_",), "A-Za-z0-9", 34, 40, "Hugging Face"),
    TokenShape(("SG.",), "A-Za-z0-9_.-", 66, 66, "SendGrid"),  # 22 . 43
    TokenShape(("SK",), "0-9a-fA-F", 32, 32, "Twilio"),  # API key sid
    TokenShape(("shpat_", "shpca_", "shppa_", "shpss_"), "a-fA-F0-9", 30, 34, "Shopify"),
    TokenShape(("dop_v1_", "doo_v1_", "dor_v1_"), "a-f0-9", 64, 64, "DigitalOcean"),
    TokenShape(("dapi",), "a-f0-9-", 32, 34, "Databricks"),  # optional -N suffix
    TokenShape(("api_org_",), "A-Za-z", 34, 34, "Hugging Face"),  # organisation token
    TokenShape(("xoxe.xoxp-", "xoxe-", "xoxc-"), "A-Za-z0-9-", 10, 1024, "Slack"),  # refresh/config
    TokenShape(url_prefixes("hooks.slack.com/triggers/"), "A-Za-z0-9/_-", 20, 1024, "Slack"),
    TokenShape(
        url_prefixes(
            "discord.com/api/webhooks/",
            "discordapp.com/api/webhooks/",
            "ptb.discord.com/api/webhooks/",
            "canary.discord.com/api/webhooks/",
        ),
        "A-Za-z0-9/_-",
        40,
        1024,
        "Discord",
    ),
    TokenShape(("AGE-SECRET-KEY-1",), "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, 58, "age"),
    TokenShape(("AKCp",), "A-Za-z0-9", 69, 69, "JFrog"),  # Artifactory API key
    TokenShape(("cmVmdGtuOjAxOj",), "A-Za-z0-9", 40, 80, "JFrog"),  # reference token
    TokenShape(("ATATT3", "ATCTT3"), "A-Za-z0-9_=-", 180, 200, "Atlassian"),  # API token
    TokenShape(("ATBB",), "A-Za-z0-9_=.-", 32, 40, "Bitbucket"),  # app password
    TokenShape(("aio_",), "A-Za-z0-9", 28, 28, "Adafruit IO"),
    TokenShape(("pat",), "A-Za-z0-9.", 79, 79, "Airtable"),  # PAT, 14 . 64
    TokenShape(("LTAI",), "A-Za-z0-9", 17, 21, "Alibaba Cloud"),  # AccessKey id
    TokenShape(("CLOJARS_",), "a-z0-9", 60, 60, "Clojars"),  # deploy token
    TokenShape(("CFPAT-",), "A-Za-z0-9_-", 43, 43, "Contentful"),
    TokenShape(
        ("dp.pt.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."), "A-Za-z0-9", 40, 44, "Doppler"
    ),
    # service tokens may name their config first: dp.st.<config>.<40-44>
    TokenShape(("dp.st.",), "A-Za-z0-9._-", 40, 80, "Doppler"),
    TokenShape(("sl.u.", "sl."), "A-Za-z0-9_=-", 130, 1400, "Dropbox"),  # short-lived
    TokenShape(("duffel_test_", "duffel_live_"), "A-Za-z0-9_=-", 43, 43, "Duffel"),
    TokenShape(("dt0c01.", "dt0s01.", "dt0s16."), "A-Z0-9.", 89, 89, "Dynatrace"),
    TokenShape(("EZAK", "EZTK"), "A-Za-z0-9", 54, 54, "EasyPost"),
    TokenShape(("figd_", "figu_"), "A-Za-z0-9_-", 40, 44, "Figma"),
    TokenShape(
        ("FLWSECK_TEST-", "FLWSECK-", "FLWPUBK_TEST-"), "a-zA-Z0-9-", 12, 34, "Flutterwave"
    ),  # the encryption key is FLWSECK_TEST- + 12 (gitleaks' flutterwave-encryption-key)
    TokenShape(("fio-u-",), "A-Za-z0-9_=-", 64, 64, "Frame.io"),
    TokenShape(("glc_",), "A-Za-z0-9+/=", 32, 400, "Grafana"),  # Cloud
    TokenShape(("glsa_",), "A-Za-z0-9_", 41, 41, "Grafana"),  # service account
    TokenShape(("hvs.", "hvb.", "hvr."), "A-Za-z0-9_.-", 90, 300, "HashiCorp"),  # hvb. holds .
    TokenShape(("HRKU-",), "A-Za-z0-9_-", 60, 70, "Heroku"),
    TokenShape(("pat-na1-", "pat-eu1-"), "a-f0-9-", 36, 36, "HubSpot"),  # private app
    TokenShape(("lin_api_", "lin_oauth_"), "A-Za-z0-9", 40, 64, "Linear"),
    TokenShape(("key-",), "a-f0-9", 32, 32, "Mailgun"),
    TokenShape(("pk.eyJ", "sk.eyJ", "tk.eyJ"), "A-Za-z0-9._-", 80, 300, "Mapbox"),
    TokenShape(("mlsn.",), "a-f0-9", 64, 64, "MailerSend"),
    TokenShape(("nfp_", "nfc_"), "A-Za-z0-9", 36, 40, "Netlify"),
    TokenShape(("NRAK-",), "A-Z0-9", 27, 27, "New Relic"),  # user API key
    TokenShape(("NRII-", "NRJS-"), "A-Za-z0-9_-", 19, 32, "New Relic"),  # insert/browser keys
    TokenShape(("NRAA-",), "a-f0-9", 27, 27, "New Relic"),  # admin key
    TokenShape(("secret_",), "A-Za-z0-9", 43, 43, "Notion"),  # integration, old
    TokenShape(("ntn_",), "A-Za-z0-9", 46, 46, "Notion"),  # integration
    TokenShape(("oy2",), "a-z0-9", 43, 43, "NuGet"),
    TokenShape(("ops_eyJ",), "A-Za-z0-9+/=", 250, 2000, "1Password"),  # service account
    TokenShape(("A3-",), "A-Z0-9-", 36, 40, "1Password"),  # secret key
    TokenShape(("pplx-",), "A-Za-z0-9", 48, 48, "Perplexity"),
    TokenShape(("gsk_",), "A-Za-z0-9", 52, 52, "Groq"),
    TokenShape(("xai-",), "A-Za-z0-9", 70, 90, "xAI"),
    TokenShape(("r8_",), "A-Za-z0-9_-", 37, 37, "Replicate"),
    TokenShape(("lsv2_pt_", "lsv2_sk_"), "a-f0-9_", 43, 43, "LangSmith"),
    TokenShape(("tvly-",), "A-Za-z0-9-", 32, 40, "Tavily"),
    TokenShape(("pcsk_",), "A-Za-z0-9_", 50, 90, "Pinecone"),
    TokenShape(
        ("pscale_tkn_", "pscale_pw_", "pscale_oauth_"), "A-Za-z0-9_=.-", 32, 64, "PlanetScale"
    ),
    TokenShape(("PMAK-",), "a-f0-9-", 59, 59, "Postman"),
    TokenShape(("pnu_",), "A-Za-z0-9", 36, 36, "Prefect"),
    TokenShape(("pul-",), "a-z0-9", 40, 40, "Pulumi"),
    TokenShape(("rubygems_",), "a-z0-9", 42, 52, "RubyGems"),
    TokenShape(("rdme_",), "a-z0-9", 70, 70, "ReadMe"),
    TokenShape(("rootly_",), "a-f0-9", 64, 64, "Rootly"),
    TokenShape(("tk-us-",), "A-Za-z0-9_-", 48, 48, "Scalingo"),
    TokenShape(("sntrys_",), "A-Za-z0-9+/=_", 100, 400, "Sentry"),  # org token
    TokenShape(("sntryu_",), "a-f0-9", 64, 64, "Sentry"),  # user token
    TokenShape(("sm_pat_", "sm_aat_", "sm_sat_"), "A-Za-z0-9", 16, 16, "SettleMint"),
    TokenShape(("shippo_live_", "shippo_test_"), "a-fA-F0-9", 40, 40, "Shippo"),
    TokenShape(("sqp_", "sqa_", "squ_"), "a-f0-9", 40, 40, "SonarQube"),
    TokenShape(("sq0atp-",), "A-Za-z0-9_-", 22, 22, "Square"),  # access token
    TokenShape(("sq0csp-",), "A-Za-z0-9_-", 43, 43, "Square"),  # OAuth secret
    TokenShape(("EAAA",), "A-Za-z0-9_-", 22, 60, "Square"),  # production token
    TokenShape(("sbp_",), "a-z0-9", 40, 40, "Supabase"),
    TokenShape(("sb_secret_",), "A-Za-z0-9_-", 31, 60, "Supabase"),  # secret key
    TokenShape(("tfp_",), "A-Za-z0-9_.=-", 59, 59, "Typeform"),
    TokenShape(("vcp_", "vci_", "vca_", "vcr_", "vck_"), "A-Za-z0-9", 24, 64, "Vercel"),
    TokenShape(("AQVN",), "A-Za-z0-9_-", 35, 38, "Yandex"),  # API key
    TokenShape(("y0_",), "A-Za-z0-9_-", 50, 60, "Yandex"),  # OAuth token
    TokenShape(("EAACEdEose0cBA",), "A-Za-z0-9", 20, 300, "Facebook"),  # access token
    TokenShape(("fm2_", "fm1r_", "fm1a_", "fo1_"), "A-Za-z0-9+/=,_-", 40, 900, "Fly.io"),
    TokenShape(
        ("FlyV1 fm2_", "FlyV1 fm1r_", "FlyV1 fm1a_", "FlyV1 fo1_"),
        "A-Za-z0-9+/=,_-",
        40,
        2000,
        "Fly.io",
    ),
    TokenShape(("ico-",), "A-Za-z0-9", 32, 32, "Infracost"),
    TokenShape(("dckr_pat_", "dckr_oat_"), "A-Za-z0-9_-", 27, 36, "Docker Hub"),
    TokenShape(("ddp_", "ddw_"), "A-Za-z0-9", 36, 36, "Deno Deploy"),
    TokenShape(("bkua_",), "a-z0-9", 40, 40, "Buildkite"),
    TokenShape(("CCIPAT_", "CCIPRJ_"), "A-Za-z0-9_", 50, 70, "CircleCI"),
    TokenShape(("rzp_live_", "rzp_test_"), "A-Za-z0-9", 14, 14, "Razorpay"),  # key id
    TokenShape(("napi_",), "a-z0-9", 64, 64, "Neon"),
    TokenShape(("rnd_",), "A-Za-z0-9", 32, 32, "Render"),
    TokenShape(("NF-",), "A-Za-z0-9", 32, 32, "Nightfall"),
    TokenShape(("API-",), "A-Z0-9", 26, 27, "Octopus Deploy"),
    TokenShape(("sha256~",), "A-Za-z0-9_-", 43, 43, "OpenShift"),  # user token
    TokenShape(("sgp_", "sgs_", "sgp_local_"), "a-fA-F0-9_", 40, 57, "Sourcegraph"),
    TokenShape(("hcaik_", "hcxik_"), "a-z0-9", 58, 58, "Honeycomb"),  # ingest key
    TokenShape(
        ("packagist_uat_", "packagist_ort_", "packagist_out_"), "a-f0-9", 68, 68, "Packagist"
    ),
    TokenShape(("p8e-",), "A-Za-z0-9-", 32, 32, "Adobe"),  # client secret
    TokenShape(("dnkey-",), "a-z0-9=_-", 79, 79, "Defined Networking"),
    TokenShape(("s-s4t2ud-", "s-s4t2af-"), "a-f0-9", 64, 64, "42"),  # intra
    TokenShape(("xkeysib-", "xsmtpsib-"), "A-Za-z0-9-", 81, 81, "Brevo"),  # Sendinblue
    TokenShape(
        ("access_token$production$", "access_token$sandbox$"), "a-z0-9$", 49, 49, "Braintree"
    ),
    TokenShape(("AAAAAAAAAAAAAAAAAAAAA",), "A-Za-z0-9%", 60, 200, "Twitter"),  # app bearer
    TokenShape(
        ("access-sandbox-", "access-development-", "access-production-"), "a-f0-9-", 36, 36, "Plaid"
    ),  # access token
    TokenShape(("api-", "sdk-", "mob-"), "a-f0-9-", 36, 36, "LaunchDarkly"),
    TokenShape(("GR1348941",), "A-Za-z0-9_-", 20, 50, "GitLab"),  # runner registration
    TokenShape(("ghe_",), "A-Za-z0-9", 36, 36, "GitHub"),  # Enterprise
    TokenShape(("sk_",), "a-f0-9", 48, 48, "ElevenLabs"),
    TokenShape(("AccountKey=",), "A-Za-z0-9+/=", 86, 88, "Microsoft"),  # Azure storage account key
    TokenShape(("SharedAccessKey=",), "A-Za-z0-9+/=", 43, 44, "Microsoft"),  # Azure Service Bus
    TokenShape(("fw_",), "A-Za-z0-9", 24, 40, "Fireworks AI"),
    TokenShape(("re_",), "A-Za-z0-9_", 36, 36, "Resend"),
    TokenShape(("phx_",), "A-Za-z0-9", 40, 48, "PostHog"),  # personal API key
    TokenShape(("tskey-",), "A-Za-z0-9-", 30, 80, "Tailscale"),
    TokenShape(("AKID",), "A-Za-z0-9", 32, 32, "Tencent Cloud"),  # SecretId
    TokenShape(("pat.", "sat."), "A-Za-z0-9._-", 60, 80, "Harness"),  # PAT / service account token
    TokenShape(("pa-",), "A-Za-z0-9_-", 40, 45, "Voyage AI"),
    TokenShape(("secret-live-", "secret-test-"), "A-Za-z0-9_=-", 30, 40, "Stytch"),
    TokenShape(("cio",), "A-Za-z0-9", 32, 32, "crates.io"),
    TokenShape(("pk_",), "0-9A-Z_", 35, 50, "ClickUp"),  # personal token, pk_<user>_<32>
    TokenShape(("ck_", "cs_"), "a-f0-9", 40, 40, "WooCommerce"),  # REST key / secret
    TokenShape(("1//0",), "A-Za-z0-9_-", 40, 300, "Google"),  # OAuth refresh token
    TokenShape(
        ("FwoGZXIvYXdz", "IQoJb3JpZ2luX2Vj"), "A-Za-z0-9+/=", 100, 1500, "AWS"
    ),  # STS session
    TokenShape(("SCW",), "A-Z0-9", 17, 17, "Scaleway"),  # access key
    TokenShape(("EXO",), "a-f0-9", 24, 24, "Exoscale"),  # API key
    TokenShape(("dbtc_", "dbtu_"), "A-Za-z0-9_-", 40, 60, "dbt Cloud"),
    # Prefix, alphabet and length as published by the vendor or in gitleaks' / trufflehog's rules.
    TokenShape(("4b1d",), "A-Za-z0-9", 38, 38, "ClickHouse Cloud"),  # API secret key
    TokenShape(("v1.0-",), "a-f0-9-", 171, 171, "Cloudflare"),  # origin CA key: 24 - 146 hex
    # global API key v2, user and account API tokens: 40 alphanumerics then an 8-hex
    # checksum (developers.cloudflare.com/fundamentals/api/get-started/token-formats)
    TokenShape(("cfk_", "cfut_", "cfat_"), "A-Za-z0-9", 48, 48, "Cloudflare"),
    TokenShape(("ABSK",), "A-Za-z0-9+/=", 109, 271, "AWS"),  # long-lived API key
    TokenShape(("EAAM", "EAAC"), "A-Za-z0-9", 100, 400, "Facebook"),  # page / app access token
    TokenShape(("pubkey-",), "a-f0-9", 32, 32, "Mailgun"),  # public validation key
    TokenShape(("live_pub_", "test_pub_"), "a-f0-9", 31, 31, "Lob"),
    TokenShape(("eyJrIjoi",), "A-Za-z0-9=", 60, 400, "Grafana"),  # API key (base64 JSON)
    TokenShape(("cmVmd",), "A-Za-z0-9", 59, 59, "JFrog"),  # reference token, as gitleaks has it
    TokenShape(("_gitlab_session=",), "a-z0-9", 32, 32, "GitLab"),  # session cookie
    TokenShape(("xoxe.xoxb-",), "A-Za-z0-9-", 10, 1024, "Slack"),  # bot refresh token
    TokenShape(("spu-",), "a-z0-9", 32, 32, "SpectralOps"),
    TokenShape(("sk-or-v1-",), "a-f0-9", 64, 64, "OpenRouter"),
    TokenShape(("nvapi-",), "A-Za-z0-9_-", 64, 64, "NVIDIA"),
    TokenShape(("sk-lf-", "pk-lf-"), "a-f0-9-", 36, 36, "Langfuse"),
    TokenShape(("salad_cloud_",), "A-Za-z0-9_", 9, 243, "SaladCloud"),
    TokenShape(("NRBR-", "NRIQ-"), "A-Za-z0-9_-", 19, 25, "New Relic"),  # browser / insights query
    TokenShape(("BBFF-",), "A-Za-z0-9", 30, 30, "Ubidots"),
    TokenShape(("ak_live_",), "A-Za-z0-9", 30, 30, "Pagar.me"),
    TokenShape(("flb_live_",), "A-Za-z0-9", 20, 20, "Fleetbase"),
    TokenShape(("ramp_id_",), "A-Za-z0-9", 40, 40, "Ramp"),  # client id
    TokenShape(("ramp_sec_",), "A-Za-z0-9", 48, 48, "Ramp"),  # client secret
    TokenShape(("rh-api-",), "a-fA-F0-9-", 36, 36, "Robinhood Crypto"),
    TokenShape(("shltm_",), "A-Za-z0-9_-", 40, 40, "Flexport"),
    TokenShape(("slk_",), "a-f0-9", 64, 64, "Sourcegraph"),  # Cody
    TokenShape(("sqco_",), "A-Za-z0-9", 59, 59, "SonarCloud"),
    TokenShape(("BBDC-",), "A-Za-z0-9+/@_-", 40, 50, "Bitbucket"),  # Data Center
    TokenShape(("API_KEY",), "0-9A-Z", 32, 32, "Finage"),
    TokenShape(("sub-c-", "pub-c-"), "a-z0-9-", 36, 36, "PubNub"),
    TokenShape(("pri_",), "a-f0-9", 32, 32, "BestTime"),
    TokenShape(("ptr_",), "A-Za-z0-9/_+=-", 20, 60, "Portainer"),
    TokenShape(("endr+",), "A-Za-z0-9-", 16, 16, "Endor Labs"),
    TokenShape(("web_",), "a-z0-9", 32, 32, "dfuse"),
    TokenShape(("na1.",), "A-Za-z0-9+/", 100, 100, "FullStory"),
    TokenShape(("bb_pr_", "bb_ma_"), "a-f0-9", 30, 30, "Bannerbear"),
    TokenShape(("3MVG9", "5AEP861"), "A-Za-z0-9._+/=", 80, 251, "Salesforce"),  # OAuth, refresh
    TokenShape(("apify_api_",), "A-Za-z0-9-", 36, 36, "Apify"),
    # <account id>/<hook id>: 6+ digits, / and 6 letters and digits (hooks.zapier.com/hooks/catch/)
    TokenShape(url_prefixes("hooks.zapier.com/hooks/catch/"), "A-Za-z0-9/", 13, 60, "Zapier"),
    TokenShape(("1000.",), "a-f0-9.", 65, 65, "Zoho"),  # 32 hex . 32 hex
    TokenShape(("thog-key-",), "a-f0-9", 16, 16, "Truffle Security"),
    TokenShape(("thog-secret-",), "a-f0-9", 32, 32, "Truffle Security"),
    TokenShape(("VF.DM.", "VF.WS.", "VF."), "A-Za-z0-9.", 41, 41, "Voiceflow"),  # 24 hex . 16
    # issue 16, round eleven (the holdout): shapes public rule sets state
    TokenShape(("odt_",), "A-Za-z0-9", 32, 255, "Dependency-Track"),
    TokenShape(("ion_",), "A-Za-z0-9", 42, 42, "Ionic"),
    TokenShape(("mdb_sa_sk_",), "A-Za-z0-9_-", 40, 40, "MongoDB Atlas"),  # service account
    # Office 365 connector: <group uuid>@<tenant uuid>/IncomingWebhook/...; the group's UUID
    # (36) is where public rule sets (semgrep's detected-outlook-team) stop reading
    TokenShape(url_prefixes("outlook.office.com/webhook/"), "A-Za-z0-9@/_-", 36, 400, "Microsoft"),
    # A private key's PEM block base64-encoded whole (Kubernetes secrets, CI variables): the
    # encodings of "-----BEGIN <kind> PRIVATE KEY-----" up to its last whole 3 bytes.
    TokenShape(
        (
            "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0t",  # RSA
            "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t",  # PKCS #8
            "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t",  # EC
            "LS0tLS1CRUdJTiBEU0EgUFJJVkFURSBLRVktLS0t",  # DSA
            "LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0t",  # OpenSSH
            "LS0tLS1CRUdJTiBFTkNSWVBURUQgUFJJVkFURSBLRVktLS0t",  # encrypted PKCS #8
            "LS0tLS1CRUdJTiBQR1AgUFJJVkFURSBLRVkgQkxPQ0stLS0t",  # PGP
        ),
        "A-Za-z0-9+/=",
        40,
        20000,
        "PEM private key, base64",
    ),
    TokenShape(("live_",), "A-Za-z0-9_=-", 40, 42, "GoCardless"),
    TokenShape(("figp_",), "A-Za-z0-9_=-", 40, 54, "Figma"),
    TokenShape(("alcht_",), "A-Za-z0-9", 30, 30, "Alchemy"),
    TokenShape(("tkn.v1_",), "A-Za-z0-9=", 72, 72, "Teamwork"),  # 71 and a final =
    TokenShape(("sk_pr_", "sandbox_sk_pr_"), "A-Za-z0-9_", 42, 105, "Photoroom"),  # <1-64>_<40 hex>
    TokenShape(("sk_sbox_",), "a-z0-9", 26, 30, "Checkout.com"),  # sandbox secret key
    # issue 16, the fourth set: prefixes the table lacked, with their published body shapes
    # Onfido API token: api_<live|sandbox>[_<region>].<11>.<32> (Onfido's dashboard tokens)
    TokenShape(
        tuple(
            f"api_{env}{region}." for env in ("live", "sandbox") for region in ("", "_us", "_ca")
        ),
        "A-Za-z0-9_.-",
        44,
        44,
        "Onfido",
    ),
    TokenShape(("amzn.mws.",), "a-f0-9-", 36, 36, "Amazon"),  # MWS auth token: a UUID
    TokenShape(("da2-",), "a-z0-9", 26, 26, "AWS"),  # AppSync GraphQL API key
    TokenShape(("k2sk_v1_",), "A-Za-z0-9", 24, 24, "Kolide"),  # API key
    # gitleaks' prefixed rules the table lacked: AWS's A3T access key ids (aws-access-token)
    # and Bedrock's short-lived keys (base64 of a presigned bedrock.amazonaws.com URL)
    TokenShape(("A3T",), "A-Z0-9", 17, 17, "AWS"),
    TokenShape(("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",), "A-Za-z0-9+/=", 20, 8000, "AWS"),
    # issue 16, h13: prefixed rules of trufflehog's detectors, Nosey Parker's and Kingfisher's
    # rule sets that the table lacked (shapes as those rules state them). Entries above were
    # widened to those rules' alphabet or length where no set's negative holds the wider shape:
    # Shopify 30-34, LTAI 17-21, Flutterwave, r8_, pul-, rubygems_, sbp_, bkua_, spu-, p8e-,
    # Grafana's eyJrIjoi from 60, GoCardless live_ with '='.
    TokenShape(("scp-live-", "scp-test-"), "a-z0-9", 32, 32, "Scrapfly"),
    TokenShape(("hawk.",), "A-Za-z0-9_.-", 41, 41, "StackHawk"),  # 20 . 20
    TokenShape(("NRRA-",), "a-f0-9", 42, 42, "New Relic"),  # REST API key
    TokenShape(("px-api-", "px-dep-"), "a-f0-9-", 36, 36, "Pixie"),  # API / deploy key: a UUID
    TokenShape(("pgar_",), "A-Za-z0-9", 27, 27, "pganalyze"),  # read key
    # any Dynatrace token: dt0<letter><2 digits>.<24>.<64>, so 3 bytes of fixed length
    TokenShape(("dt0",), "A-Za-z0-9.", 93, 93, "Dynatrace"),
    TokenShape(("pk.",), "A-Za-z0-9", 32, 32, "LocationIQ"),  # access token
    TokenShape(("fc-",), "a-f0-9", 32, 32, "Firecrawl"),
    TokenShape(("jina_",), "A-Za-z0-9", 60, 60, "Jina AI"),
    # TeamCity access token: base64url of {"typ": "TCV2"} . 36 . 48
    TokenShape(("eyJ0eXAiOiAiVENWMiJ9.",), "A-Za-z0-9_.-", 85, 85, "TeamCity"),
    # issue 16, the tenth set: Riot Games' API key, RGAPI- and a UUID (sonar-text's riot rule)
    TokenShape(("RGAPI-",), "a-f0-9-", 36, 36, "Riot Games"),
)
