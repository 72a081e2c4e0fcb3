"""Pre-check: what stands between a customer and a cancelled number (domain.md §2).

``engine.evaluate`` runs the rules on an ``AccountSnap``; ``presenter.present`` renders
the outcome in a locale; ``codec`` stores and restores it; ``schemas`` describes the API.
"""
