"""Selection rules: given an Election, return an Outcome."""
