"""The exchange format (DESIGN §5): parse (parse.py), import with the services' rules (importer.py), the bulk
path (bulk.py) and export (export.py)."""
from registry.exchange.export import FORMAT_VERSION, export_jsonl
from registry.exchange.importer import ImportReport, import_jsonl, import_records
from registry.exchange.parse import ExchangeError, parse_lines

__all__ = ["FORMAT_VERSION", "ExchangeError", "ImportReport", "export_jsonl", "import_jsonl", "import_records",
           "parse_lines"]
