"""Collect: from feeds.toml to normalised items, ready to judge and store.

``sources`` reads the registry, ``fetch`` gets documents over HTTP, ``parse`` and
``adapters`` turn them into entries, ``sanitise`` and ``normalise`` make them one safe
``Item`` shape, and ``run`` drives a collection or an ingest through judge and storage.
"""
