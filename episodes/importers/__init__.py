"""Bringing an existing podcast in: markdown episodes of a static site, or any RSS feed."""
