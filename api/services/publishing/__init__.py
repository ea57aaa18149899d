"""Which process definitions a server serves."""
