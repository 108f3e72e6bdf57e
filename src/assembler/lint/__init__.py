"""``assembler lint``: rules that catch the ways agent catalogs rot.

The package is split by concern: :mod:`.rules` (codes and findings),
:mod:`.config` (the ``[lint]`` table), :mod:`.context` (what the rules read),
one module per rule family, :mod:`.engine` (run, relocate, silence, select)
and :mod:`.output` (text, JSON, GitHub and score). Nothing is imported here, so
loading the catalog config does not pull in the rules.
"""
