"""marshmallow schemas: the exchange format (DESIGN §5); the public API's schemas live with the API."""
