"""stockshift: plan store-to-store inventory transfers for retail chains."""

__version__ = "0.1.0"
