"""Forums and events: a later roadmap item (../shared/ROADMAP.md).

The app is installed from the start so its models, URLs and navigation have a place.
"""
