"""The site's outputs: pages, SEO, search, open data, statistics, reports, publish and audit."""
