"""The synthetic contrast set: hand-written frame families of minimal pairs and their seeded build.

``python -m classifier.datasets.contrast.build`` rewrites data/contrast/pairs.csv; the loader is
``classifier.datasets.contrast_sets``. See data/contrast/README.md.
"""
