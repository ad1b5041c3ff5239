"""Customer communication: the outbox worker, e-mail, webhooks and periodic jobs."""
