"""Synthetic, reproducible deal histories with known ground truth, and a fast writer for them."""
