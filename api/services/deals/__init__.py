"""Deals: the rules of their progress, reading them, and the use cases that change them (written by `recording`)."""
