"""SMS: threads, messages, opt-outs, templates, provider adapters, sending tasks and webhooks."""
