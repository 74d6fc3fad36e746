"""getsentry/relay's built-in rule tests (``relay-pii/src/builtin.rs``), for the eleventh
set (issue 16).

Each ``assert_text_rule!`` gives a rule, an input and the output, so the span relay
scrubs is known exactly; the rows below are those inputs and scrubbed spans as the file
has them at the pinned commit (its ``:replace``, ``:mask`` and ``:hash`` variants scrub
the same span, so each input is kept once). The mirror was over ``fetch``'s size limit
(777,758,720 bytes), so the rows were read through the index's ``read_file`` at the
commit ``sources.json`` pins and written here as data; the labels come from
``kinds.py``. ``assert_rule_not_applied!`` inputs are all near-misses (an IBAN inside a
word, one digit short or long, ``N1`` for a country) and are left out, not negatives.
"""

from __future__ import annotations

from ..outside.harvest import Harvest
from . import kinds

SOURCE = "builtin"
PATH = "relay-pii/src/builtin.rs"
EC_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIHbAgEBBEFbLvIaAaez3q0u6BQYMHZ28B7iSdMPPaODUMGkdorl3ShgTbYmzqGL\n"
    "fojr3jkJIxFS07AoLQpsawOFZipxSQHieaAHBgUrgQQAI6GBiQOBhgAEAdaBHsBo\n"
    "KBuPVQL2F6z57Xb034TRlpaarne/XGWaCsohtl3YYcFll3A7rV+wHudcKFSvrgjp\n"
    "soH5cUhpnhOL9ujuAM7Ldk1G+11Mf7EZ5sjrLe81fSB8S16D2vjtxkf/+mmwwhlM\n"
    "HdmUCGvfKiF2CodxyLon1XkK8pX+Ap86MbJhluqK\n"
    "-----END EC PRIVATE KEY-----"
)
# (rule, input, the span relay's test scrubs)
ROWS: tuple[tuple[str, str, str], ...] = (
    ("@ip", "before 127.0.0.1 after", "127.0.0.1"),
    ("@ip", "before ::1 after", "::1"),
    (
        "@ip",
        "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    ),
    ("@imei", "before 356938035643809 after", "356938035643809"),
    ("@mac", "ether 4a:00:04:10:9b:50", "4a:00:04:10:9b:50"),
    (
        "@uuid",
        "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1",
        "ceee0822-ed8f-4622-b2a3-789e73e75cd1",
    ),
    ("@email", "John Appleseed <john@appleseed.com>", "john@appleseed.com"),
    ("@iban", "some iban: DE89370400440532013000!", "DE89370400440532013000"),
    ("@iban", "some iban: NO9386011117945!", "NO9386011117945"),
    ("@iban", "some iban: RU0204452560040702810412345678901!", "RU0204452560040702810412345678901"),
    ("@creditcard", "John Appleseed 4571234567890111!", "4571234567890111"),
    ("@creditcard", "John Appleseed 4571 2345 6789 0111!", "4571 2345 6789 0111"),
    ("@pemkey", "This is a comment I left on my key\n\n            " + EC_KEY, EC_KEY),
    ("@urlauth", "https://username:password@example.com/", "password"),
    ("@usssn", "Hi I'm Hilda and my SSN is 078-05-1120", "078-05-1120"),
    ("@userpath", "C:\\Users\\mitsuhiko\\Desktop", "mitsuhiko"),
    ("@userpath", "export PATH=$PATH:$HOME/collectd_exporter", "collectd_exporter"),
    ("@userpath", "File in /Users/mitsuhiko/Development/sentry-stripping", "mitsuhiko"),
    ("@userpath", "C:\\Windows\\Profiles\\Armin\\Temp", "Armin"),
)
# test_valid_iban_codes: "list taken from jschaedl/iban-validation … Randomized the digits"
VALID_IBAN_CODES = [
    "AD5878942710639732891555",
    "AE843009416531083386439",
    "AL57203331634841980876917055",
    "AT894962316580861740",
    "AZ20NABZ32222583861167817527",
    "BA899087481698693720",
    "BE02622338508282",
    "BG74BNBG62683163859900",
    "BH94BMAG81742510166411",
    "BR6012720184945313263694220C2",
    "BY42NBRB5423804338230Z59AB39",
    "CH9094408966251267229",
    "CR66628293047983395760",
    "CY07828977709558493944217267",
    "CZ3250044769520155043487",
    "DE33286483480880127754",
    "DK0104500396509359",
    "DO00BAGR96761901498775724456",
    "EE270648064710638158",
    "EG690300132939956610501715864",
    "ES1855993856250575846003",
    "FI1536654201409964",
    "FO7570156750217051",
    "FR1014777374033381713M74535",
    "GB24NWBK56308374074647",
    "GE73NB0994186171721443",
    "GI49NWBK125988332328154",
    "GL9054108607699188",
    "GR5565802405556734747216550",
    "GT99TRAJ50683085639204647556",
    "HR6800577821254763445",
    "HU40379712415496584277966835",
    "IE81AIBK65375754273298",
    "IL273293887744694290805",
    "IQ81NBIQ089246287424886",
    "IS781608418318734844854556",
    "IT53X5801219709784172710195",
    "JO61CBJO9436591471899095231319",
    "KW43CBKU4883997798760620316108",
    "KZ51056KZT0837966427",
    "LB33882243832059959713929005",
    "LC66HEMM254988987389111701748958",
    "LI29737657519298857AA",
    "LT274687648772993442",
    "LU366704963860370207",
    "LV56BANK7310410483037",
    "LY14487832647995492999076",
    "MC6264639373071228615685245",
    "MD21AG907990943540501824",
    "ME03582335388820811523",
    "MK23858890780702871",
    "MR9327063831155222861023437",
    "MT51MALT379454641617MTLCAST058S",
    "MU03BOMM4322185029224038400MUR",
    "NL96ABNA5744731632",
    "NO9058068238671",
    "PK25SCBL8656172440308193",
    "PL12349940962957508091419645",
    "PS76PALS166923702872903852485",
    "PT14459770251588993280123",
    "QA18DOHB89519772639156ABCDEFG",
    "RO17AAAA6B92357725591367",
    "RS15219225977278176022",
    "SA5110364369768070892889",
    "SC23SSCB28695826925340049496USD",
    "SE1264086862739970624960",
    "SI02570384665487060",
    "SK8246443378900295468504",
    "SM58U9584120480537549943122",
    "SV18CENR54739364351768235550",
    "TL666057100094711717888",
    "TN9055668722925051026777",
    "TR685596983808399006011173",
    "UA660626845659376320141789664",
    "VA02458628330591922762",
    "VG84VPVG5177475162070855",
    "XK074179726503194891",
]


def label(rule: str, value: str) -> str:
    """The suite's label of a value relay's ``rule`` scrubs (``kinds``)."""
    by_shape = {
        "@ip": kinds.ip_label,
        "@iban": kinds.iban_label,
        "@creditcard": kinds.card_label,
        "@pemkey": kinds.pem_label,
    }
    if rule in by_shape:
        return by_shape[rule](value)
    return kinds.ASKED.get(rule) or kinds.NOT_ASKED[rule]


def add(h: Harvest, rule: str, text: str, value: str, source: str, path: str) -> None:
    """One scrubbed value: secrets and the not-asked in their line, PII alone (the
    suite's templates place it)."""
    lab = label(rule, value)
    in_line = lab.startswith("NOT_ASKED:") or lab in ("URL_PASSWORD", "TOKEN_CONTEXT")
    h.add(lab, value, source, path, context=text if in_line and text != value else "")


def harvest(h: Harvest) -> None:
    """Add the built-in rules' rows, then the IBAN list in its test's sentence."""
    for rule, text, value in ROWS:
        add(h, rule, text, value, SOURCE, PATH)
    for code in VALID_IBAN_CODES:
        add(h, "@iban", f"some iban: {code}!", code, SOURCE, PATH)
