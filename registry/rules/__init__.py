"""Pure rules of the registry: no Flask, no database, only values in and values out."""
