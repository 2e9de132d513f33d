"""A show's podcast feed, from the edit that changes it to the poll that reads it.

- `freshness.py`: the stamp (when did what the public sees last change), and `SOURCES`, the one
  list of models whose changes move it and make kept items stale.
- `build.py`: the channel, and the feed assembled from items rendered once per change and kept
  (`FeedItem`).
- `items.py`: each episode's `<item>`, written from rows fetched a chunk of episodes at a time.
- `serve.py`: the view, validators, the copies a poll is answered from, one build per change.
- `middleware.py`: the early `304` for pollers whose copy is current.
"""
