"""HTTP for measures: metrics, the monthly report, capacity and the dashboard page."""
