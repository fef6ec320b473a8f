"""numdiff: numerical differentiation with its error theory."""
