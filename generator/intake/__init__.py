"""The ways in: issue forms, spreadsheet import, photo fetching and the staged entry writer."""
