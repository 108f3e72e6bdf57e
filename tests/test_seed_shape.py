"""A catalog shaped like a real generated agent renders to exactly the expected bytes.

The expected file is written by hand, section by section, in the format of a
real catalog's output: frontmatter, banner, ROLE, the substrate section with
`---` between its blocks, body blocks, DOMAIN SCOPE, HANDOFFS, OUTPUT FORMAT,
FORBIDDEN, REFERENCES and the footer.
"""

from __future__ import annotations

import re
from pathlib import Path

from assembler import load_catalog, render_catalog
from assembler.outputs.banner import read_banner

FIXTURE = Path(__file__).parent / "fixtures" / "seed_shape"


def test_seed_shaped_catalog_renders_expected_bytes():
    catalog = load_catalog(FIXTURE)
    (rendered,) = render_catalog(catalog, {"job-runner"})
    expected = (FIXTURE / "expected-job-runner.md").read_bytes()
    actual = re.sub(rb"sha256:[0-9a-f]{12}", b"sha256:<hash>", rendered.data)
    assert actual == expected
    banner = read_banner(rendered.data)
    assert banner is not None and banner.intact and banner.line == 8
