"""Kinds of miss the thirteenth outside set showed (issue 16), on our own examples.

SPEC §4 asks for passwords and secrets next to key words. The thirteenth set
(thoughtworks/talisman's detector tests, americanexpress/earlybird's rule examples and
post-process tests) showed:

* a bare word after a password key word read as a variable's name where the line's
  shape makes it a literal: ``key=value`` alone on its line with no space around ``=``
  (a properties file's or a shell's assignment: ``db_pass=Rosebud``), and an XML
  element's text (``<password>Rosebud</password>``), also with attributes and spaces
  around the text (``<Pass encoding="base64"> … </Pass>``, FileZilla's). In code,
  ``password = hunter`` names a variable and stays unfound, as do a dotted or called
  name and a constant's;
* a key word followed by a prompt's current value before its colon, as ``aws configure``
  prints it (``AWS Secret Access Key [None]: …``, ``[****…MPLE]``): the operator was
  not found past the brackets (an index's digits were);
* ``pword``, an abbreviation of password the identifier rules knew (``pword`` as a
  part) but the key-word pattern did not, so ``pword=…`` was never matched.

Both scans, compiled and Python, find the same. The holdout's whispers and kingfisher
files held the first kind too (``SSHpassword=hardcoded`` in an env file, ``<password>``
elements in XML): its recall rose from 0.902 to 0.907 with no new false positive.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

LITERALS = [
    ("db_pass=Rosebud", "Rosebud"),
    ("  smtp_password=Bluebell", "Bluebell"),  # indented, in a shell function
    ("# config\nadminpwd=Larkspur\nport=25", "Larkspur"),
    ("client_secret=Marigold", "Marigold"),
    ("<dbPassword>Rosebud</dbPassword>", "Rosebud"),
    ("<conf>\n  <smtp_pass>Bluebell</smtp_pass>\n</conf>", "Bluebell"),
    ('<Pass encoding="base64">Um9zZWJ1ZA</Pass>', "Um9zZWJ1ZA"),  # attributes
    ("<db_password enc='none' v=2> Marigold </db_password>", "Marigold"),  # spaced text
    ("pword=Zk9mQ2x", "Zk9mQ2x"),
    ("user_pword: 'Tansy4'", "Tansy4"),
    ("<pword>Larkspur</pword>", "Larkspur"),
    # a prompt's current value before its colon (aws configure's transcript)
    ("AWS Secret Access Key [None]: Zx81kLq0Pw2mNb7VtY4cR9sDq", "Zx81kLq0Pw2mNb7VtY4cR9sDq"),
    ("Secret Access Key [*************9sDq]: Kd4Wz8Rt5Vb1Qm7x2Lp9Ab3", "Kd4Wz8Rt5Vb1Qm7x2Lp9Ab3"),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "value"), LITERALS)
def test_literals_by_their_line_are_found(native: bool, text: str, value: str) -> None:
    """SPEC §4: a password or secret after its key word, a literal by its line's shape."""
    found = [text[f.start : f.end] for f in Redactor(native=native).redact(text).findings]
    assert found == [value]


NAMES = [
    "password = hunter",  # code: a variable's name
    "db_pass=args.password",  # a dotted name
    "pwd=getpass()",  # a call
    "password=DB_PASSWORD",  # a constant's name
    "login(user, password=hunter)",  # a keyword argument, not alone on its line
    "export_password=hunter && run",  # more on the line
    "cfg.password=Rosebud",  # an attribute: code
    "<password>${DB_PASS}</password>",  # a template
    "<password></password>",
    "<password_hint>Rosebud</password_hint>",  # names something about a password
    '<password lang="en">Rose garden</password>',  # words: text, not one value
    "<admin password> Rosebud </mypassword>",  # an attribute named so, not the element
    '<input type="password" name="pwd">',
    "Default region name [None]: eu-west-1",  # no key word
    "api_token [None]: pending",  # a word, not a generated token
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("text", NAMES)
def test_names_stay_names(native: bool, text: str) -> None:
    """SPEC §4 asks for secrets, not the names that hold them."""
    assert Redactor(native=native).redact(text).findings == ()
