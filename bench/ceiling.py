"""The ceiling of this machine for the benchmark: a bare Flask "hello" and a bare Jinja table of 20 rows,
served by the same gunicorn settings as the registry (`gunicorn bench.ceiling:app`)."""
from flask import Flask

app = Flask(__name__)

TABLE = app.jinja_env.from_string(
    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head><body>"
    "<h1>{{ title }}</h1><table><thead><tr><th>序号</th><th>单位名称</th><th>统一社会信用代码</th><th>项目数</th></tr>"
    "</thead><tbody>{% for row in rows %}<tr><td>{{ row.n }}</td><td>{{ row.name }}</td><td>{{ row.code }}</td>"
    "<td class=\"num\">{{ row.projects }}</td></tr>{% endfor %}</tbody></table></body></html>"
)
ROWS = [{"n": n, "name": f"苏州第{n}环保科技有限公司", "code": f"91320500MA{n:07d}X", "projects": n * 7}
        for n in range(1, 21)]


@app.route("/hello")
def hello():
    """The bare minimum a Flask worker can answer."""
    return "hello"


@app.route("/table")
def table():
    """A Jinja template with a 20-row table: the ceiling for a page."""
    return TABLE.render(title="从业单位", rows=ROWS)
