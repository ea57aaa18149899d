"""`waymark report`: one self-contained HTML page of what the process data says, charts drawn as SVG."""
