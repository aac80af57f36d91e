"""Measures: the de-identified read model behind metrics, the monthly report and the dashboard."""
