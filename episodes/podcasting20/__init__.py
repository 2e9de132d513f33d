"""The Podcasting 2.0 tags beyond the first phases: rules, feed elements and publish checks.

`rules` holds the namespace's allowed values and validators (no model imports, so models use it),
`feed` turns a show and its episodes into elements the feed generator writes, and `checks` lists
what `check_feed` and the admin report.
"""
