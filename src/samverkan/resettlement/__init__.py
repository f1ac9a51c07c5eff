"""Resettlement of quota refugees: needs taxonomy, municipal reception, cases, placement."""
