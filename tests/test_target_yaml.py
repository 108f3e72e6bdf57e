"""The frontmatter of opencode, Factory Droid, Kiro and Antigravity always parses back.

opencode takes a frontmatter that does not parse for prompt text, and Droid
falls back to a line parser: whatever a manifest or option holds, the YAML
written must read back as the same values.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .target_support import catalog, frontmatter, rendered

text = st.text(st.characters(blacklist_categories=("Cs", "Co", "Cn"), blacklist_characters="{}%\r"),
               min_size=1, max_size=60).filter(lambda s: s.strip() and s == s.strip())
FILES = {"opencode": ".opencode/agents/alpha.md", "factory": ".factory/droids/alpha.md",
         "kiro": ".kiro/agents/alpha.md", "antigravity": ".agents/agents/alpha.md"}
TEXT_OPTION = {"opencode": "variant", "factory": None, "kiro": "welcomeMessage",
               "antigravity": None}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(sorted(FILES)), description=text, value=text,
       patterns=st.dictionaries(text, st.sampled_from(["allow", "ask", "deny"]), max_size=3))
def test_values_read_back(target, description, value, patterns):
    options = {}
    if TEXT_OPTION[target]:
        options[TEXT_OPTION[target]] = value
    if target == "opencode" and patterns:
        options["permission"] = {"bash": patterns}
    if target in ("factory", "antigravity"):
        options["mcpServers"] = [value]
    with tempfile.TemporaryDirectory() as tmp:
        root = catalog(Path(tmp), target)
        manifest = root / "_manifests/alpha.toml"
        source = manifest.read_text(encoding="utf-8")
        old = 'description = "First agent: reviews things. Use it for reviews #1."'
        source = source.replace(old, tomli_w.dumps({"description": description}).strip())
        if options:  # written as is: the helper's dedent would split lines at U+0085 and kin
            source += "\n" + tomli_w.dumps({"targets": {target: options}})
        manifest.write_text(source, encoding="utf-8")
        meta = frontmatter(rendered(root)[FILES[target]])
    assert meta["description"] == description
    for key, expected in options.items():
        assert meta[key] == expected
