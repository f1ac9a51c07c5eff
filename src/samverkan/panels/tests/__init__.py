"""Tests for the panel lottery."""
