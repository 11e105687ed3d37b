"""Back-office and public pages of démarches, one module per part."""
