"""The REST API: a thin entrypoint over the services, for shops, marketplace connectors and warehouse scanners."""
