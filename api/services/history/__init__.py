"""What recorded history says: plain records, learned durations and win rates, and process insights."""
