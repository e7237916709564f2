"""Ranking references for screening: pure, scikit-learn, no Django."""
