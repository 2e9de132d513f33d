"""The Podcasting 2.0 tags beyond the first phases: feed elements and publish checks.

The namespace's allowed values and validators live with the directories' other rules in
`podcast/rules.py`; `feed` turns a show and its episodes into elements the feed generator writes,
and `checks` lists what `check_feed` and the admin report.
"""
