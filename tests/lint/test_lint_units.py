"""The building blocks of the rules: Markdown scanning, stamps, secrets, tokens, score."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assembler.lint.freshness import judge_stamps
from assembler.markdown import anchors, headings, in_code, mask_inline_code, slug
from assembler.lint.names import suggest_slug
from assembler.credentials import PROVIDERS, assignments, entropy
from assembler.credentials import looks_random as _looks_random
from assembler.lint.tokens import estimate_tokens


def test_fences_and_headings():
    lines = ["# Title", "```", "# not a heading", "```", "~~~~", "```", "## still code", "~~~~",
             "## Real  #", "    ### indented code is not parsed here", "   ### Three spaces"]
    assert in_code(lines) == [False, True, True, True, True, True, True, True, False, False, False]
    assert [(h.line, h.level, h.text) for h in headings(lines)] == [
        (1, 1, "Title"), (9, 2, "Real"), (11, 3, "Three spaces")]


def test_anchors_follow_the_common_slug_rules():
    assert slug("1. The *bar* — what `counts`?") == "1-the-bar--what-counts"
    assert anchors(["# Setup", "## Setup", "## Use it"]) == {"setup", "setup-1", "use-it"}


@given(st.text(alphabet="ab `\n", max_size=40))
def test_masking_inline_code_keeps_columns(line):
    assert len(mask_inline_code(line)) == len(line)


@pytest.mark.parametrize("line, expected", [
    ("Rates verified 2025-11.", []),
    ("Rates verified 2025-10.", [("AA501", "`verified 2025-10` is 7 months old (limit: 6)")]),
    ("verified: March 2024", [("AA501", "`verified: March 2024` is 26 months old (limit: 6)")]),
    ("Verified Sep 2025", [("AA501", "`Verified Sep 2025` is 8 months old (limit: 6)")]),
    ("verified 2026-04-30", []),
    ("verified March", [("AA502", "`verified March` has no year, so its age is unknown")]),
    ("verified 2026-13", [("AA502", "`verified 2026-13` is not a real month")]),
    ("verified 2026-06", [("AA502", "`verified 2026-06` lies in the future")]),
    ("unverified 2020-01, verified the claim, verified <month>", []),
])
def test_verified_stamps(line, expected):
    found = [(code, message) for code, _, message, _, _ in judge_stamps(line, date(2026, 5, 1), 6)]
    assert found == expected


@given(st.integers(2000, 2100), st.integers(1, 12), st.dates(date(2000, 1, 1), date(2100, 12, 31)),
       st.integers(1, 48))
def test_stamp_age_is_whole_months(year, month, today, limit):
    codes = [c for c, *_ in judge_stamps(f"verified {year}-{month:02d}", today, limit)]
    age = (today.year - year) * 12 + today.month - month
    assert codes == (["AA502"] if age < 0 else ["AA501"] if age > limit else [])


SAMPLES = {
    "private key": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "Anthropic API key": "sk-ant-api03-" + "a1B2c3D4e5F6g7H8i9J0",
    "OpenAI API key": "sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k",
    "AWS access key ID": "AKIA" + "ABCDEFGHIJ234567",
    "GitHub token": "ghp_" + "a" * 36,
    "GitLab token": "glpat-" + "a1B2c3D4e5F6g7H8i9J0",
    "Slack token": "xoxb-" + "1234567890-abcdef",
    "Google API key": "AIza" + "B" * 35,
    "Stripe key": "sk_live_" + "a1B2c3D4e5F6g7H8i9J0",
    "Hugging Face token": "hf_" + "a1B2c3D4e5" * 3,
    "npm token": "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "JSON Web Token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop",
}


def test_every_provider_pattern_has_a_sample():
    assert set(SAMPLES) == {kind for kind, _ in PROVIDERS}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_provider_patterns_find_their_kind_first(kind):
    line = f"key: {SAMPLES[kind]} end"
    first = next(k for k, pattern in PROVIDERS if pattern.search(line))
    assert first == kind


@pytest.mark.parametrize("line, secret", [
    ('api_key = "q8Zr3LmT0vX9wKp2Yd"', True),
    ("GITHUB_TOKEN=Zk2x9Q4mL0pV7sW1", True),
    ('"password": "h7Tq2Lm9Xv4Rk1Zw"', True),
    ("token_count = 1234567890123456", False),  # digits only
    ('api_key = "your-api-key-goes-here"', False),  # no digits: a description, not a key
    ("password = ${DB_PASSWORD}", False),
    ("sha256:0123456789abcdef0123 is a content hash", False),
    ('auth_mode = "aaaaaaaaaaaaaaaa1"', False),  # too little entropy
])
def test_secret_assignments(line, secret):
    found = [name for name, value, _ in assignments(line) if _looks_random(value, 3.5)]
    assert bool(found) is secret


def test_assignment_names_are_whole_identifiers():
    assert [n for n, _, _ in assignments('export OPENAI_API_KEY="x"; my.db_password: "abcdefghijklmnop"')] \
        == ["my.db_password"]


def test_entropy():
    assert entropy("aaaa") == 0
    assert entropy("abcd") == 2


def test_token_estimate():
    assert estimate_tokens("") == 0
    assert estimate_tokens("the cat") == 2
    assert estimate_tokens("substrate") == 3  # 9 letters: one token per 4, rounded up
    assert estimate_tokens("2026-05-01") == 6  # 2026 → 2, then 1 each for -, 05, -, 01
    assert estimate_tokens("   \n\t") == 0


@given(st.text(max_size=60), st.text(max_size=60))
def test_token_estimate_adds_up_across_whitespace(a, b):
    assert estimate_tokens(a + " " + b) == estimate_tokens(a) + estimate_tokens(b)


@pytest.mark.parametrize("name, slug_name", [
    ("Policy", "policy"), ("memory_protocol", "memory-protocol"), ("NoGitOps", "no-git-ops"),
    ("--", "name")])
def test_suggested_slugs(name, slug_name):
    assert suggest_slug(name) == slug_name


def test_only_rendered_values_can_claim_output_lines():
    from assembler.diagnostics import Diagnostics
    from assembler.lint.context import leaf_lines
    from assembler.sources.toml import parse_toml

    config = parse_toml('regenerate = "make agents"\n[layout]\nreferences = ["`docs/a.md` - the guide"]\n'
                        '[lint.required_sections]\nagent = ["ROLE"]\n', "assembler.toml", Diagnostics())
    assert list(leaf_lines(config, "config")) == ["`docs/a.md` - the guide"]
    manifest = parse_toml('name = "tone"\ntools = ["Read"]\nblocks = ["rules"]\n'
                          'role = """\nYou are tone.\nBe brief.\n"""\n[[handoff]]\ntarget = "alpha"\n'
                          'trigger = "when stuck"\n', "_manifests/tone.toml", Diagnostics())
    assert {text: origin.line for text, origin in leaf_lines(manifest, "manifest").items()} == {
        "You are tone.": 5, "Be brief.": 6, "when stuck": 10}
