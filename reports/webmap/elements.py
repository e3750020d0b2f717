"""The folium element kinds of the web map: raw script, raw text and a script-built overlay.

May import folium/branca (imported on first use, when exporting) and the standard library;
nothing of the project.
"""

from __future__ import annotations

import functools
import html


@functools.cache
def folium_classes():
    """Our three folium element kinds (made once: folium is imported only when exporting)."""
    import folium
    from branca.element import Element, MacroElement

    try:
        from folium.template import Template
    except ImportError:  # folium < 0.18
        from jinja2 import Template

    class _Script(MacroElement):
        """Raw JavaScript placed in the map's script, in insertion order."""

        _template = Template("{% macro script(this, kwargs) %}{{ this.js }}\n{% endmacro %}")

        def __init__(self, js: str) -> None:
            super().__init__()
            self._name = "ilp_script"
            self.js = js

    class _Raw(Element):
        """Text placed as is (never parsed as a jinja template: data may contain '{{')."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

        def render(self, **kwargs) -> str:
            return self.text

    class _JsLayer(folium.map.Layer):
        """An overlay built by our inline helpers (listed in the layer control; Leaflet writes
        the name as markup, so it is escaped here: names come from the data)."""

        _template = Template("{% macro script(this, kwargs) %}"
                             "var {{ this.get_name() }} = {{ this.js }};\n{% endmacro %}")

        def __init__(self, name: str, js: str, *, show: bool = True) -> None:
            super().__init__(name=html.escape(name, quote=False), overlay=True, control=True,
                             show=show)
            self._name = "ilp_layer"
            self.js = js

    return _Script, _Raw, _JsLayer
