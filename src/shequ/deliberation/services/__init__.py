"""Every write of deliberation, one module per aggregate: meetings, topics, attendance, votes,
decisions. Each checks the rule table and the access layer, validates, writes and audits in one
transaction. by=None is the system (the demo loader, the scheduler)."""
