"""agent-assembler: generated agent prompt files from manifests, blocks and roles.

The library API is small and plain::

    from assembler import load_catalog, render_catalog, compare, build_catalog

    catalog = load_catalog(Path("path/to/catalog"))
    states = compare(catalog, render_catalog(catalog))

Names are imported lazily so that ``assembler --version`` stays fast.
"""

__version__ = "0.1.0"

_EXPORTS = {
    "load_catalog": "sources.catalog",
    "Catalog": "sources.catalog",
    "Agent": "sources.catalog",
    "render_catalog": "outputs.render",
    "Rendered": "outputs.render",
    "compare": "outputs.drift",
    "FileState": "outputs.drift",
    "build_catalog": "outputs.write",
    "write_outputs": "outputs.write",
    "BuildResult": "outputs.write",
    "CatalogError": "diagnostics",
    "Diagnostic": "diagnostics",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'assembler' has no attribute {name!r}")
