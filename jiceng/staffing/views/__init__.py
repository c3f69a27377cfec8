"""Pages of the staffing app, one module per area: reports, ledger, hiring, moves, plans, imports."""
