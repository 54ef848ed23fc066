"""Administration → SMS Templates, and the template picker every composer uses."""
