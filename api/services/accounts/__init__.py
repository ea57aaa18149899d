"""Who is asking: the viewer of a request, API tokens, and the people directory."""
