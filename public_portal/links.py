"""`row_url`: the address of a firm, person or project that a public page links on every row, the same as
`url_for` builds it.

`url_for` finds the endpoint's rule and builds its path anew on every call, about 10 µs. A similar-parcel page
links 140 rows that way, and a firm's profile 60. Here the path up to the rule's one argument is built once for
the application's root, and each row's value is quoted by the converter the rule uses (`tests/portal/test_links.py`
compares the two)."""
from flask import current_app, request, url_for


def row_url(endpoint: str, value) -> str:
    """`url_for(endpoint, <its one argument>=value)` for a rule that ends with that argument
    (`/units/<uscc>`, `/projects/<ref>`, `/persons/<public_id>`)."""
    held = current_app.extensions.setdefault("row_urls", {})
    key = (endpoint, request.script_root)
    built = held.get(key)
    if built is None:
        built = held[key] = _path_before_argument(endpoint)
    prefix, converter = built
    return prefix + converter.to_url(value)


def _path_before_argument(endpoint: str):
    """The endpoint's address up to its last argument, and the converter that quotes that argument."""
    url_map = current_app.url_map
    (rule,) = url_map.iter_rules(endpoint)
    (argument,) = rule.arguments
    if not rule.rule.endswith(f"/<{argument}>"):  # a typed argument (<int:...>) or text after it
        raise ValueError(f"row_url builds rules ending with a plain argument, not {rule.rule}")
    prefix = url_for(endpoint, **{argument: "x"})[:-1]
    return prefix, url_map.converters["default"](url_map)
