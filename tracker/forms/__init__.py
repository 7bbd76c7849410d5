"""Forms of the portal's pages: ``workflow`` (observations, review decisions) and ``dashboard`` (filters)."""
