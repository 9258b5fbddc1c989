"""splitship: split-shipment back office for marketplace sellers."""

__version__ = "0.1.0"
