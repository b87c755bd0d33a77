"""Who may see and do what. The only place that decides it: roles, authentication, the DRF
permission policies every view names, and the queryset restriction every view starts from."""
