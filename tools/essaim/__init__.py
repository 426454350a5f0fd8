"""Essaim: an open knowledge base of local actions for access to health.

Pipeline: load -> validate -> catalog -> outputs (search index, site, exports).
"""

__version__ = "0.1.0"
