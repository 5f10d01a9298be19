"""Reads for the review pages and for commendation rounds."""
