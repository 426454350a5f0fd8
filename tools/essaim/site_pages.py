"""Output — site pages. The writer lives in the essaim.site package; this name is kept for callers."""

from essaim.site import Site, site_files, write_pages
from essaim.site.pages import card_page, guide_page

__all__ = ["Site", "card_page", "guide_page", "site_files", "write_pages"]
