"""Hard negatives (must not be flagged) and code snippets that leak keys."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from faker import Faker

from .util import ALNUM, Record, b64_blob, hex_digest, random_chars, seeded_uuid

Fakers = dict[str, Faker]


def uuids(rng: random.Random, f: Fakers) -> str:
    return f"request {seeded_uuid(rng)} failed; retry id={seeded_uuid(rng).upper()}"


def git_shas(rng: random.Random, f: Fakers) -> str:
    sha = hex_digest(rng)
    return f"commit {sha}\nMerge: {sha[:7]} {hex_digest(rng)[:7]}"


def digests(rng: random.Random, f: Fakers) -> str:
    return f"sha256:{hex_digest(rng, 'sha256')}  md5 {hex_digest(rng, 'md5')}"


def base64_blobs(rng: random.Random, f: Fakers) -> str:
    return f"data:image/png;base64,{b64_blob(rng, rng.randint(30, 200))} blob {b64_blob(rng, 45)}"


def versions(rng: random.Random, f: Fakers) -> str:
    v = [rng.randint(0, 30) for _ in range(4)]
    return rng.choice(
        [
            f"upgrade to v{v[0]}.{v[1]}.{v[2]}",
            f"requests=={v[0]}.{v[1]}.{v[2]}",
            f"Version {v[0]}.{v[1]}.{v[2]}.{v[3]} released",
            f"node {v[0]}.{v[1]}.{v[2]}-rc.{v[3]}",
            f"build 1.0.0.{rng.randint(1000, 99999)}",
            f"python {v[0]}.{v[1]}",
        ]
    )


_EARLIEST = datetime(2021, 12, 6)
_LATEST = datetime(2027, 12, 6)


def timestamps(rng: random.Random, f: Fakers) -> str:
    # fixed bounds ("-5y"/"+1y" around 2026-12-06): bounds relative to the clock made the
    # corpus differ from one run to the next, so findings could not be compared across runs
    dt = f["en_US"].date_time_between(_EARLIEST, _LATEST)
    return rng.choice(
        [
            dt.isoformat() + "Z",
            dt.strftime("%Y-%m-%d %H:%M:%S"),
            str(int(dt.timestamp())),
            str(int(dt.timestamp() * 1000)),
            dt.strftime("%d/%m/%Y %H:%M"),
            dt.strftime("%H:%M:%S.%f"),
            dt.strftime("[%Y-%m-%dT%H:%M:%S.%f+00:00] INFO"),
            dt.strftime("%Y%m%d%H%M%S"),
        ]
    )


def numbers(rng: random.Random, f: Fakers) -> str:
    return rng.choice(
        [
            f"order #{rng.randint(10**6, 10**9)}",
            f"total ${rng.randint(1, 99999):,}.{rng.randint(0, 99):02d}",
            f"pi = 3.{rng.randint(10**8, 10**9)}",
            f"lat {f['en_US'].latitude()}, lon {f['en_US'].longitude()}",
            f"color #{random_chars(rng, '0123456789abcdef', 6)}",
            f"port {rng.randint(1, 65535)}",
            f"mac {':'.join(random_chars(rng, '0123456789abcdef', 2) for _ in range(6))}",
            f"ISBN 978-{rng.randint(0, 9)}-{rng.randint(100, 999)}-"
            f"{rng.randint(10000, 99999)}-{rng.randint(0, 9)}",
            f"matrix [{rng.randint(0, 9)}, {rng.randint(0, 9)}] step 1:{rng.randint(2, 9)}",
        ]
    )


def prose_code(rng: random.Random, f: Fakers) -> str:
    return rng.choice(
        [
            "def login(user, password):\n    return auth(user, password=password)",
            'token = os.environ["GITHUB_TOKEN"]\nsecret_key = settings.SECRET_KEY',
            "std::vector<int> v; auto it = std::find(v.begin(), v.end(), 3);",
            "xs[::2] + ys[1:3]  # slicing",
            'let api_key = config.get("api_key")?;',
            "password: str = Field(..., min_length=12)",
            "const apiKey = process.env.API_KEY;",
            "if (password == confirm) { save(); }",
            "SELECT id, email FROM users WHERE created_at > now() - interval '30 days';",
            "git clone https://github.com/org/repo.git && cd repo",
            'curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/items',
            "sk-learn and scikit-learn are the same thing; see sk-ui-button-primary-large",
            "image@2x.png and icon@3x.webp in assets/",
            '@app.route("/users/<int:user_id>")',
        ]
    )


def foreign_prose(rng: random.Random, f: Fakers) -> str:
    return f[rng.choice(["ru_RU", "ja_JP", "de_DE", "fr_FR"])].paragraph(nb_sentences=2)


def urls(rng: random.Random, f: Fakers) -> str:
    return f"{f['en_US'].url()}path?id={rng.randint(1, 999)}&page=2 and {f['en_US'].uri()}"


NEGATIVE_MAKERS: list[Callable[[random.Random, Fakers], str]] = [
    uuids,
    git_shas,
    digests,
    base64_blobs,
    versions,
    timestamps,
    numbers,
    prose_code,
    foreign_prose,
    urls,
]


def snippet_boto(rng: random.Random, rec: Record) -> None:
    rec.add('import boto3\ns3 = boto3.client("s3", aws_access_key_id="')
    rec.add_entity("SECRET", "AKIA" + random_chars(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))
    rec.add('",\n    aws_secret_access_key="')
    rec.add_entity("SECRET", random_chars(rng, ALNUM + "+/", 40))
    rec.add('")\n')


def snippet_env(rng: random.Random, rec: Record) -> None:
    rec.add("# .env\nDEBUG=true\nSTRIPE_SECRET_KEY=")
    rec.add_entity("SECRET", "sk_live_" + random_chars(rng, ALNUM, 24))
    rec.add("\nDATABASE_URL=postgresql://app:")
    rec.add_entity("PASSWORD", random_chars(rng, ALNUM, 14))
    rec.add("@db.internal:5432/app\nSLACK_BOT_TOKEN=")
    rec.add_entity(
        "SECRET", "xoxb-" + random_chars(rng, "0123456789", 11) + "-" + random_chars(rng, ALNUM, 24)
    )
    rec.add("\n")


def snippet_js(rng: random.Random, rec: Record) -> None:
    rec.add('const client = new OpenAI({ apiKey: "')
    rec.add_entity("SECRET", "sk-proj-" + random_chars(rng, ALNUM + "-_", 100))
    rec.add('" });\nconst gh = new Octokit({ auth: "')
    rec.add_entity("SECRET", "ghp_" + random_chars(rng, ALNUM, 36))
    rec.add('" });\n')


def snippet_yaml(rng: random.Random, rec: Record) -> None:
    rec.add("database:\n  host: 10.0.0.")
    rec.labels.append(("IP", len(rec.text) - 7, len(rec.text) + 1))
    rec.add(str(rng.randint(1, 9)))
    rec.add("\n  password: '")
    rec.add_entity("PASSWORD", random_chars(rng, ALNUM + "!#%", 12))
    rec.add("'\n  api_token: ")
    rec.add_entity("SECRET", random_chars(rng, ALNUM, 32))
    rec.add("\n")


SNIPPET_MAKERS: list[Callable[[random.Random, Record], None]] = [
    snippet_boto,
    snippet_env,
    snippet_js,
    snippet_yaml,
]
