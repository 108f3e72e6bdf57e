#!/usr/bin/env python3
"""`assembler import` against Claude Code's own reading of agent files.

    .venv/bin/python conformance/import_check.py [--json]

Run by ``make conformance`` after run.py, with the checkout's Python (it imports
the assembler); needs the pinned Claude Code (claude_reader.py), never part of
``make test``.

It imports the corpus of odd shapes (tests/import_corpus.py: SHAPES) into a scratch
catalog, then asks Claude Code's own frontmatter code, run by its own runtime, how
it reads each original and each rendered file, and checks:

1. the project's reader of Claude Code's rules (assembler.targets.reading) reads
   every original as the client does: the same fields, or the same refusal;
2. every skipped file is one the client does not load as an agent either;
3. every imported file (identical or repaired) reads the same for the client as
   its original: the same frontmatter fields, name, description and prompt (the
   prompt without the catalog's banner, and without another generator's banner
   the import removed on purpose);
4. ``claude plugin validate`` finds nothing wrong with the rendered files, and
   flags exactly the originals whose frontmatter the client cannot parse.

The checks cut both ways, which is this check's own negative control: a client
reading that loaded nothing would fail 3, one that loaded everything would fail 1
and 2 on the corpus's files Claude Code does not load (no frontmatter, no `name`,
YAML it cannot read even leniently).

Exit 0 when every check holds, 1 when one fails, 2 when the client cannot run.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO / "src"), str(REPO), str(HERE)]

import claude_reader  # noqa: E402
from common import ClientError  # noqa: E402
from assembler.importing.importer import run_import, without_banner  # noqa: E402
from assembler.outputs.render import assemble  # noqa: E402
from assembler.targets.reading import NotAnAgent, Unsupported, read_markdown  # noqa: E402
from tests.import_corpus import SHAPES, write_files  # noqa: E402

_BANNER = re.compile(r"^<!--.*(?:do not edit|generated).*-->\n\n?", re.IGNORECASE | re.MULTILINE)


def ours(data: bytes, stem: str) -> dict | str:
    """The fields the project's reader sees, or why it does not load the file (or cannot
    import a file the tool loads: ``refused``)."""
    try:
        return read_markdown(data, stem, "Claude Code", "claude").values
    except NotAnAgent as exc:
        return f"not loaded: {exc}"
    except Unsupported as exc:
        return f"refused: {exc}"


def main(argv: list[str]) -> int:
    try:
        return _check(argv)
    except ClientError as exc:
        print(f"import_check: Claude Code could not run: {exc}", file=sys.stderr)
        return 2


def _check(argv: list[str]) -> int:
    failures: list[str] = []
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="claude-conformance-") as temp:
        work = Path(temp)
        source = work / "agents"  # a folder named `agents`, as `plugin validate` expects
        write_files(source, SHAPES)
        root = work / "catalog"
        result = run_import([source], root)
        outputs = work / "rendered" / "agents"
        outputs.mkdir(parents=True)
        by_name: dict[str, Path] = {}
        rendered = {item.path: item.data for item in assemble(root, root)[1]}
        for file in result.files:
            copy = outputs / Path(file.output).name
            copy.write_bytes(without_banner(rendered[file.output]))
            by_name[Path(file.source).name] = copy
        names = sorted(SHAPES)
        originals = {Path(r["path"]).name: r for r in claude_reader.read([source / n for n in names])}
        again = {Path(r["path"]).name: r for r in claude_reader.read(list(by_name.values()))}
        statuses = {Path(f.source).name: f.status for f in result.files}
        statuses.update({Path(p.source).name: p.status for p in result.problems})
        for name in names:
            client = originals[name]
            mine = ours(SHAPES[name], Path(name).stem)
            row = {"file": name, "status": statuses[name],
                   "claude": "loads" if client["agent"] else f"does not load: {client['rejected']}"}
            if client["agent"] is None:
                if not (isinstance(mine, str) and mine.startswith("not loaded")):
                    failures.append(f"{name}: Claude Code does not load it, the project's reader "
                                    f"says {mine!r}")
            elif isinstance(mine, str) and mine.startswith("refused"):
                pass  # the tool loads it; the import says why it cannot take it
            elif isinstance(mine, str) or mine != client["frontmatter"]:
                failures.append(f"{name}: the project's reader reads {mine!r}, Claude Code "
                                f"{client['frontmatter']!r}")
            if statuses[name] == "skipped" and client["agent"] is not None:
                failures.append(f"{name}: skipped, but Claude Code loads it")
            if name in by_name:
                back = again[by_name[name].name]
                row["rendered"] = "loads" if back["agent"] else "does not load"
                if back["agent"] is None or client["agent"] is None:
                    failures.append(f"{name}: imported, but Claude Code does not load "
                                    f"{'the original' if client['agent'] is None else 'the output'}")
                else:
                    expected = dict(client["agent"], prompt=_BANNER.sub("", client["agent"]["prompt"], 1)
                                    if name == "generated.md" else client["agent"]["prompt"])
                    if back["frontmatter"] != client["frontmatter"] or back["agent"] != expected:
                        failures.append(f"{name}: Claude Code reads the output differently: "
                                        f"{back['agent']!r} / {back['frontmatter']!r}, not "
                                        f"{expected!r} / {client['frontmatter']!r}")
            rows.append(row)
        checked = claude_reader.validate(outputs)
        bad_outputs = [c["file"] for c in checked.get("contents", []) if c.get("errors")]
        if bad_outputs or checked.get("success") is False:
            failures.append(f"claude plugin validate rejects rendered files: {bad_outputs}")
        flagged = {Path(c["file"]).name for c in claude_reader.validate(source).get("contents", [])
                   if any("failed to parse" in e["message"] for e in c.get("errors", []))}
        unparsable = {n for n in names if originals[n]["parse_error"]}
        if flagged != unparsable:
            failures.append(f"plugin validate flags {sorted(flagged)}, the reader fails to parse "
                            f"{sorted(unparsable)}")
        shutil.rmtree(root, ignore_errors=True)
    if "--json" not in argv:
        print("\nassembler import of tests/import_corpus.py SHAPES, read by Claude Code's own "
              "frontmatter code:")
    if "--json" in argv:
        json.dump({"rows": rows, "failures": failures}, sys.stdout, indent=2)
        print()
    else:
        width = max(len(r["file"]) for r in rows)
        for row in rows:
            print(f"{row['file']:<{width}}  {row['status']:<9}  original: {row['claude']}"
                  + (f"; rendered: {row['rendered']}" if "rendered" in row else ""))
        print("\n".join(["", *failures]) if failures else "\nall checks hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
