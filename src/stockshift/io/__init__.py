"""Reading inputs, writing plans: everything that touches files."""
