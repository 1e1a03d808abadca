"""One address per firm: a credit code in another case, with spaces or in full width redirects to its canonical
page, keeping the query string exactly as sent (never read as keywords of url_for)."""
from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from registry.rules.normalize import canonical_code


def redirect_to_canonical(endpoint: str, uscc: str) -> Response | None:
    """A 301 to the canonical address of the firm's page, or None when the code is already canonical."""
    code = canonical_code(uscc)
    if code == uscc:
        return None
    location = url_for(endpoint, uscc=code)
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return redirect(location, 301)
