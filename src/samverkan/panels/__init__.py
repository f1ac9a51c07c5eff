"""Panels: drawing representative panels of newcomers by lottery (sortition)."""
