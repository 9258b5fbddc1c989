"""Server-rendered pages: the buyer tracking page and the seller console."""
