"""Set-up steps scripts/setup.sh runs once per machine (never imported by the product at run time)."""
