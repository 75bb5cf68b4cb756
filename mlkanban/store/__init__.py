"""Storage: tables, engine, schema migrations and the service layer (the only writer)."""
