"""Forms of the review pages and of commendation rounds."""
