"""The templates compiled once for each language, with their constant messages translated as they compile.

`{{ _("Name") }}` is a call at every render: through Jinja's `Context.call` (which makes a new context for a
call inside a loop), then the catalogue. A firm profile makes about 130 such calls and a search page about
250, a tenth of each page's time. A message is a constant and a request has one language, so each language
gets its own compiled copy of the templates (a Jinja overlay of the application's environment: the same
loader, globals and filters, its own cache), in which `_("...")` is already the translation: Jinja then writes
it into the page as text. A message with variables becomes the translation `%` its variables, escaped as
`_()` escapes them. Everything else (`ngettext`, labels of codes, a template rendered outside a request) stays
as it was, through `registry/i18n.py`.

Every template, in any copy, writes an autoescaped `{{ value }}` through `output_text`: markupsafe's escaping,
without a Markup made of each value written.
"""
from flask import has_request_context
from flask.templating import Environment
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, _escape_inner  # the function markupsafe.escape escapes a text with

from registry.i18n import current_locale, request_translations

TRANSLATED_NAMES = frozenset({"_", "gettext"})  # what init_i18n installs as template_gettext


def output_text(value) -> str:
    """What `{{ value }}` writes where autoescaping is on: the text of `markupsafe.escape(value)`, without making
    it a Markup (which cost half of escaping a short text: a page joins what it writes into one text, and a block
    whose text is kept, a macro's or a `{% set %}` block's, is made Markup whole)."""
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return value
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))


class _OutputCodeGenerator(CodeGenerator):
    """Jinja's code generator, which writes an autoescaped `{{ value }}` through `output_text` instead of
    `markupsafe.escape` (a firm profile writes about 400 values)."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return super()._output_child_pre(node, frame, finalize)
        self.write("environment.output_text(")
        if finalize.src is not None:
            self.write(finalize.src)


class LanguageEnvironment(Environment):
    """Flask's template environment, which loads each template from its copy for the request's language."""

    language: str | None = None  # set on each language's copy; None on the application's own environment
    code_generator_class = _OutputCodeGenerator
    output_text = staticmethod(output_text)

    def _load_template(self, name, globals):
        if self.language is None and has_request_context():
            return self.for_language(current_locale())._load_template(name, globals)
        return super()._load_template(name, globals)

    def for_language(self, language: str) -> Environment:
        """The copy of this environment whose templates have `language`'s messages compiled in."""
        copies = self.__dict__.setdefault("_language_copies", {})
        if language not in copies:
            copy = self.overlay()
            copy.language = language
            copies[language] = copy
        return copies[language]

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        # compiled during a request in this copy's language (the only requests that load from it), so the
        # request's catalogue is the language's
        if self.language is not None and has_request_context() and current_locale() == self.language:
            tree = translate_messages(tree)
            tree.set_environment(self)
        return tree


def translate_messages(tree: nodes.Template) -> nodes.Template:
    """The template with each `_("constant")` and `gettext("constant", name=value, ...)` replaced by its
    translation (`%` its variables), as `registry.i18n.template_gettext` answers it; left whole when the
    template binds `_` or `gettext` itself."""
    if any(node.name in TRANSLATED_NAMES for node in tree.find_all(nodes.Name) if node.ctx != "load"):
        return tree
    return _Translator().visit(tree)


class _Translator(NodeTransformer):
    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in TRANSLATED_NAMES
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        translated = nodes.MarkSafeIfAutoescape(nodes.Const(request_translations().ugettext(node.args[0].value)))
        variables = nodes.Dict([nodes.Pair(nodes.Const(keyword.key), keyword.value) for keyword in node.kwargs])
        return nodes.Mod(translated, variables).set_lineno(node.lineno)
